// The SMS rows the reconciler keeps in BullMQ: scheduled batches that are due, open chunks
// of queued or sending batches, and callbacks not yet delivered.
import { sql } from 'kysely';
import type { DueWorkSource } from '../core/reconciler.js';
import { callbackJobs, queuedCallbackIds } from './callbacks.js';
import { chunkJobs } from './chunk-jobs.js';
import { expireSendingSms } from './store.js';

export const smsDueWork: DueWorkSource = {
  name: 'sms',
  sweep: expireSendingSms,
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
    ];
  },
};
