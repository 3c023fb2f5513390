// sms.start-batch: a scheduled batch whose time has come becomes queued and fans out.
import { sql } from 'kysely';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import type { Handler } from '../core/handler.js';
import { chunkJobs } from './chunk-jobs.js';
import { openChunks } from './store.js';

export const startBatch: Handler<'sms.start-batch'> = async ({ batchId }, { deps }) => {
  const started = await deps.db
    .updateTable('sms_batches')
    .set({ status: 'queued' })
    .where('id', '=', batchId)
    .where('status', '=', 'scheduled')
    .where('send_at', '<=', sql<Date>`now()`)
    .returning('id')
    .executeTakeFirst();
  if (!started) return { chunks: 0 };
  const chunks = await openChunks(deps.db, batchId);
  await enqueueAfterCommit(deps, chunkJobs(batchId, chunks));
  return { chunks: chunks.length };
};
