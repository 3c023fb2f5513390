// An upload's raw bytes, read back in 64 KB pieces of its chunk rows: the next piece is asked
// for while the current one is parsed, so little is in memory at a time. Reading whole 1 MB
// rows made strings and buffers (the row's hex text, the decoded text) large enough to live
// outside the JS heap until a full GC: they cost the invoices worker its peak RSS.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

const PIECE_BYTES = 64 * 1024;

export async function* rawBytes(db: Kysely<Database>, uploadId: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const pieceAt = async (seq: number, offset: number) =>
    (
      await db
        .selectFrom('tem_upload_chunks')
        .select(sql<Buffer>`substring(data from ${offset + 1} for ${PIECE_BYTES})`.as('piece'))
        .where('upload_id', '=', uploadId)
        .where('seq', '=', seq)
        .executeTakeFirst()
    )?.piece;
  let at = { seq: 0, offset: 0 };
  let next = pieceAt(0, 0);
  for (;;) {
    signal?.throwIfAborted();
    const piece = await next;
    if (!piece) return;
    // A short piece ends its row: the next one starts the next row.
    at = piece.length === PIECE_BYTES ? { seq: at.seq, offset: at.offset + PIECE_BYTES } : { seq: at.seq + 1, offset: 0 };
    next = pieceAt(at.seq, at.offset);
    // A piece not awaited because the reader stopped early must not surface as unhandled.
    next.catch(() => undefined);
    if (piece.length > 0) yield piece;
  }
}
