// An upload's raw bytes, read back by one `COPY (SELECT data ...) TO STDOUT (FORMAT binary)`
// on a connection of its own: the chunk rows arrive as their bytes, in the socket's pieces
// (up to 64 KB), read from the socket only as fast as the parse takes them.
//
// Reading a chunk row with SELECT instead (node-postgres has no binary bytea) brought a 1 MB
// chunk as a 2 MB hex string, grown in the protocol parser's doubling buffers and decoded into
// a new Buffer: reading the benchmark's 150 MB file alone grew the process by 100 MB (65 MB of
// dead ArrayBuffers waiting for a full GC), and by 75-80 MB with 64 KB rows; through COPY, by
// 30-45 MB, in a fifth of the time.
//
// The caller owns the connection: close() ends it, also mid-read (a parse that stops early or
// fails must not leave a COPY open), so open it where a `finally` can close it. The connection
// has the bounds of every other (openConnection): a Postgres gone silent fails the read within
// DB_LONG_STATEMENT_TIMEOUT_MS plus a grace, and close() does not wait for it.
import { to as copyTo } from 'pg-copy-streams';
import { openConnection, type ConnectionSettings, type OwnConnection } from '../../db/database.js';
import { BinaryCopyField } from './binary-copy.js';

export class RawFile implements AsyncIterable<Buffer> {
  private client: OwnConnection | null = null;
  private closed = false;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly uploadId: string,
    private readonly signal?: AbortSignal,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.client || this.closed) throw new Error('a raw file is read once');
    // A connection ended or terminated mid-read fails the COPY stream, which the loop below sees.
    const client = await openConnection(this.settings, 'tgg-tem-raw');
    this.client = client;
    if (this.closed) {
      // Closed while it connected.
      await client.close();
      throw new Error('a raw file closed before its read');
    }
    const query = `COPY (SELECT data FROM tem_upload_chunks WHERE upload_id = ${client.escapeLiteral(this.uploadId)} ORDER BY seq) TO STDOUT (FORMAT binary)`;
    const stream = client.query(copyTo(query));
    // Closed mid-read: the stream's error has nobody left to tell.
    stream.on('error', () => undefined);
    const field = new BinaryCopyField();
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) {
        this.signal?.throwIfAborted();
        yield* field.feed(piece);
      }
      field.end();
    } finally {
      await this.close();
    }
  }

  /** Ends the connection (idempotent); a read under way fails. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.close();
  }
}

export function openRawFile(settings: ConnectionSettings, uploadId: string, signal?: AbortSignal): RawFile {
  return new RawFile(settings, uploadId, signal);
}
