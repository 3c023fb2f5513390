import { sql, type Kysely } from 'kysely';
import { bulkTransaction, type Db } from '../../db/database.js';
import type { Database, SmsBatch } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { ConflictError, NotFoundError } from '../core/domain-errors.js';
import { callbackJobs, queueCallback } from './callbacks.js';

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;
const OPEN = ['validating', 'scheduled', 'queued', 'sending'] as const;

/**
 * Cancels every message not yet handed to the provider; those already sent stay as they are.
 * The 'cancelled' callback and the audit entry are stored in the same transaction; the caller
 * enqueues the returned jobs after the commit.
 */
export async function cancelBatch(db: Db, organizationId: string, id: string, actor: Actor): Promise<{ batch: SmsBatch; cancelled: number; jobs: JobRequest[] }> {
  return bulkTransaction(db, async (trx) => {
    const done = await cancelBatchIn(trx, organizationId, id, actor);
    if (done) return done;
    const exists = await trx.selectFrom('sms_batches').select('id').where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
    if (exists) throw new ConflictError('The batch is already completed or cancelled.', 'params.id');
    throw new NotFoundError('No such batch.');
  });
}

/**
 * Every open batch of an organisation whose relationship ended, cancelled in the caller's (bulk)
 * transaction: nothing more goes out on its behalf, and nobody there can cancel it any more. The
 * callback jobs to enqueue after the commit.
 */
export async function cancelOpenBatches(trx: Kysely<Database>, organizationId: string, actor: Actor): Promise<JobRequest[]> {
  const open = await trx.selectFrom('sms_batches').select('id').where('organization_id', '=', organizationId).where('status', 'in', OPEN).execute();
  const jobs: JobRequest[] = [];
  for (const { id } of open) jobs.push(...((await cancelBatchIn(trx, organizationId, id, actor))?.jobs ?? []));
  return jobs;
}

/** cancelBatch in the caller's transaction; undefined when the batch is not open (or not the organisation's). */
async function cancelBatchIn(trx: Kysely<Database>, organizationId: string, id: string, actor: Actor): Promise<{ batch: SmsBatch; cancelled: number; jobs: JobRequest[] } | undefined> {
  const batch = await trx
    .updateTable('sms_batches')
    .set({ status: 'cancelled', cancelled_at: sql`now()` })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('status', 'in', OPEN)
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
  const cancelled = Number(messages.numAffectedRows ?? 0);
  await audit(trx, { ...actor, action: 'sms.batch.cancelled', entityType: 'sms_batch', entityId: id, details: { cancelled } });
  return { batch, cancelled, jobs: callbackJobs([callback]) };
}
