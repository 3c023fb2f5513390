// An upload's raw bytes, read back chunk by chunk (one chunk row in memory at a time).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export async function* rawBytes(db: Kysely<Database>, uploadId: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq += 1) {
    signal?.throwIfAborted();
    const chunk = await db.selectFrom('tem_upload_chunks').select('data').where('upload_id', '=', uploadId).where('seq', '=', seq).executeTakeFirst();
    if (!chunk) return;
    yield chunk.data;
  }
}
