// A deliberate resend by ops of the messages whose fate is unknown (a worker died while they
// were with the SMSC). Never automatic: they may have gone out already. Audited in the same
// transaction; the caller enqueues the returned jobs after the commit, replacing finished ones.
// Answers counts and jobs (a chunk's), never the messages.
import { sql } from 'kysely';
import { bulkTransaction, type Db } from '../../db/database.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { NotFoundError } from '../core/domain-errors.js';
import { chunkJobs } from './chunk-jobs.js';

export async function requeueUnknown(db: Db, batchId: string, actor: Pick<AuditEntry, 'actorType' | 'actorId'>): Promise<{ requeued: number; jobs: JobRequest[] }> {
  return bulkTransaction(db, async (trx) => {
    const batch = await trx.selectFrom('sms_batches').select(['id', 'chunk_size', 'status']).where('id', '=', batchId).forUpdate().executeTakeFirst();
    if (!batch) throw new NotFoundError('No such batch.');
    const requeued = async (count: number, chunks: number[]) => {
      await audit(trx, { ...actor, action: 'sms.batch.resend_unknown', entityType: 'sms_batch', entityId: batchId, details: { requeued: count } });
      return { requeued: count, jobs: chunkJobs(batchId, chunks) };
    };
    if (batch.status === 'cancelled') return requeued(0, []);
    // One statement, answering the count and the chunks to queue: not the messages (a batch of a
    // million unknown ones gave each one's id and seq back to the process). Their old parts go
    // (the new parts get new SMSC ids: a receipt for an old one must not move them) and their
    // chunks are open again, all from the same snapshot of the messages it queues.
    const { rows } = await sql<{ requeued: number; chunks: number[] }>`
      WITH requeued AS (
        UPDATE sms_messages SET status = 'queued', error_code = NULL
         WHERE batch_id = ${batchId} AND status = 'unknown'
           -- An erased recipient's message (no number, text or hash left) is not sent again.
           AND anonymised_at IS NULL
        RETURNING id, seq
      ), chunks AS (
        SELECT DISTINCT seq / ${batch.chunk_size}::int AS chunk FROM requeued
      ), old_parts AS (
        DELETE FROM sms_message_parts p USING requeued r WHERE p.message_id = r.id
      ), reopened AS (
        UPDATE sms_chunks c SET done = false FROM chunks WHERE c.batch_id = ${batchId} AND c.chunk = chunks.chunk
      )
      SELECT (SELECT count(*)::int FROM requeued) AS requeued, coalesce((SELECT array_agg(chunk ORDER BY chunk) FROM chunks), '{}') AS chunks`.execute(trx);
    const { requeued: count = 0, chunks = [] } = rows[0] ?? {};
    if (chunks.length > 0) {
      await trx.updateTable('sms_batches').set({ status: 'queued', completed_at: null }).where('id', '=', batchId).where('status', 'in', ['completed', 'sending']).execute();
    }
    return requeued(count, chunks);
  });
}
