import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { SmsBatch } from '../../db/schema.js';
import { queueCallback } from './callbacks.js';

/**
 * Cancels every message not yet handed to the provider; those already sent stay as they are.
 * The 'cancelled' callback is stored in the same transaction (enqueue its id after the commit).
 */
export async function cancelBatch(db: Db, organizationId: string, id: string): Promise<{ batch: SmsBatch; cancelled: number; callback: number | undefined } | undefined> {
  return db.transaction().execute(async (trx) => {
    const batch = await trx
      .updateTable('sms_batches')
      .set({ status: 'cancelled', cancelled_at: sql`now()` })
      .where('id', '=', id)
      .where('organization_id', '=', organizationId)
      .where('status', 'in', ['validating', 'scheduled', 'queued', 'sending'])
      .returningAll()
      .executeTakeFirst();
    if (!batch) return undefined;
    // Rows a send job holds right now are skipped, never waited for: waiting here while the job
    // waited for a row this statement had locked (re-checking it) deadlocked the two. The job
    // cancels what is left queued when it finds the batch cancelled (send-chunk.ts).
    const messages = await sql`
      UPDATE sms_messages SET status = 'cancelled'
      WHERE id IN (SELECT id FROM sms_messages WHERE batch_id = ${id} AND status = 'queued' FOR UPDATE SKIP LOCKED)`.execute(trx);
    await trx.updateTable('sms_chunks').set({ done: true }).where('batch_id', '=', id).execute();
    const callback = await queueCallback(trx, batch, { type: 'batch.status', status: 'cancelled' });
    return { batch, cancelled: Number(messages.numAffectedRows ?? 0), callback };
  });
}
