// The SMS rows the reconciler keeps in BullMQ: scheduled batches that are due, open chunks
// of queued or sending batches, and callbacks not yet delivered.
import { sql } from 'kysely';
import type { DueWorkSource } from '../core/reconciler.js';
import { foldBatchCounts } from './batch-counts.js';
import { callbackJobs, queuedCallbackIds } from './callbacks.js';
import { chunkJobs } from './chunk-jobs.js';
import { dropAbandonedUploads, expireSendingSms } from './store.js';
import { receiptJob, setAsideUnmatchedReceipts } from './receipts.js';

/** Receipts waiting a few seconds (their part was not stored yet, or Redis lost the job). */
async function pendingReceipts(db: Parameters<DueWorkSource['due']>[0]) {
  const waiting = await db
    .selectFrom('sms_receipts')
    .select('id')
    .where('applied_at', 'is', null)
    .where('received_at', '<', sql<Date>`now() - interval '5 seconds'`)
    .where('received_at', '>', sql<Date>`now() - interval '7 days'`)
    .limit(1)
    .execute();
  return waiting.length > 0 ? [receiptJob()] : [];
}

export const smsDueWork = {
  name: 'sms',
  jobs: ['sms.start-batch', 'sms.send-chunk', 'sms.callback', 'sms.apply-receipts'],
  sweep: async (db) => {
    // Housekeeping, not a repair: not counted as swept.
    await foldBatchCounts(db);
    return (await expireSendingSms(db)) + (await dropAbandonedUploads(db)) + (await setAsideUnmatchedReceipts(db));
  },
  async due(db, limit) {
    const scheduled = await db
      .selectFrom('sms_batches')
      .select('id')
      .where('status', '=', 'scheduled')
      .where('send_at', '<=', sql<Date>`now()`)
      .limit(limit)
      .execute();
    const chunks = await db
      .selectFrom('sms_chunks as c')
      .innerJoin('sms_batches as b', 'b.id', 'c.batch_id')
      .select(['c.batch_id', 'c.chunk'])
      .where('c.done', '=', false)
      .where('b.status', 'in', ['queued', 'sending'])
      .orderBy('c.chunk')
      .limit(limit)
      .execute();
    return [
      ...scheduled.map((b) => ({ name: 'sms.start-batch' as const, payload: { batchId: b.id } })),
      ...chunks.flatMap((c) => chunkJobs(c.batch_id, [c.chunk])),
      ...callbackJobs(await queuedCallbackIds(db, limit)),
      ...(await pendingReceipts(db)),
    ];
  },
} satisfies DueWorkSource<'sms.start-batch' | 'sms.send-chunk' | 'sms.callback' | 'sms.apply-receipts'>;
