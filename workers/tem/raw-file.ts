// An upload's raw bytes, read back chunk by chunk: the next chunk row is asked for while the
// current one is parsed, so at most two are in memory at a time. Each is handed on in 64 KB
// pieces: text decoded from a whole 1 MB chunk at once is held outside the JS heap until a
// full GC (parsing the benchmark's file alone, that was 40 MB of the process's peak RSS).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

const PIECE_BYTES = 64 * 1024;

export async function* rawBytes(db: Kysely<Database>, uploadId: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const chunkAt = async (seq: number) => (await db.selectFrom('tem_upload_chunks').select('data').where('upload_id', '=', uploadId).where('seq', '=', seq).executeTakeFirst())?.data;
  let next = chunkAt(0);
  for (let seq = 0; ; seq += 1) {
    signal?.throwIfAborted();
    const chunk = await next;
    if (!chunk) return;
    next = chunkAt(seq + 1);
    // A chunk not awaited because the reader stopped early must not surface as unhandled.
    next.catch(() => undefined);
    for (let at = 0; at < chunk.length; at += PIECE_BYTES) yield chunk.subarray(at, at + PIECE_BYTES);
  }
}
