// An upload's raw bytes read back through `COPY (SELECT data ...) TO STDOUT (FORMAT binary)` on
// a connection of its own: the bytes arrive in socket-sized pieces and are handed on as they
// come. A chunk row read by SELECT arrives as one 2 MB hex message that pg reassembles in
// buffers doubling up to 4 MB (about 8 MB allocated per 1 MB row, held outside the JS heap
// until a GC): that was most of the e-invoice parse's remaining peak RSS.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** The signature, the flags field and the header extension's length. */
const HEADER_BYTES = 19;
/** Handed on in pieces of at most this size: text decoded from a larger piece lives outside the JS heap until a full GC. */
const PIECE_BYTES = 64 * 1024;

/**
 * The field bytes of a binary COPY stream of one bytea column, in the pieces they arrive in
 * (subarrays of at most 64 KB, no copy); a field or tuple header split across pieces is carried over.
 */
export async function* binaryCopyField(pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let state: 'header' | 'tuple' | 'length' | 'data' = 'header';
  let left = 0;
  let carry: Buffer | null = null;
  for await (const arrived of pieces) {
    const piece: Buffer = carry ? Buffer.concat([carry, arrived]) : arrived;
    carry = null;
    let at = 0;
    while (at < piece.length) {
      const rest = piece.length - at;
      if (state === 'data') {
        const n = Math.min(left, rest, PIECE_BYTES);
        yield piece.subarray(at, at + n);
        at += n;
        left -= n;
        if (left === 0) state = 'tuple';
      } else if (state === 'header') {
        if (rest < HEADER_BYTES) break;
        if (!piece.subarray(at, at + SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
        const extension = piece.readUInt32BE(at + 15);
        if (rest < HEADER_BYTES + extension) break;
        at += HEADER_BYTES + extension;
        state = 'tuple';
      } else if (state === 'tuple') {
        if (rest < 2) break;
        const fields = piece.readInt16BE(at);
        at += 2;
        if (fields === -1) return;
        if (fields !== 1) throw new Error(`a binary COPY tuple of ${fields} fields, not 1`);
        state = 'length';
      } else {
        if (rest < 4) break;
        left = piece.readInt32BE(at);
        at += 4;
        state = left > 0 ? 'data' : 'tuple';
      }
    }
    if (at < piece.length) carry = Buffer.from(piece.subarray(at));
  }
  throw new Error('the binary COPY stream ended early');
}

/** The upload's chunk rows in order, as their bytes arrive; the connection is closed when the reader stops, also early. */
export async function* rawBytesByCopy(databaseUrl: string, uploadId: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tgg-tem-raw' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const out = client.query(copyTo(`COPY (SELECT data FROM tem_upload_chunks WHERE upload_id = ${client.escapeLiteral(uploadId)} ORDER BY seq) TO STDOUT (FORMAT binary)`));
    for await (const bytes of binaryCopyField(out)) {
      signal?.throwIfAborted();
      yield bytes;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
