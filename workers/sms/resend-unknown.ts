// A deliberate resend by ops of the messages whose fate is unknown (a worker died while they
// were with the SMSC). Never automatic: they may have gone out already. Audited in the same
// transaction; the caller enqueues the returned jobs after the commit, replacing finished ones.
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
    const rows = await trx
      .updateTable('sms_messages')
      .set({ status: 'queued', error_code: null })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'unknown')
      // An erased recipient's message (no number, text or hash left) is not sent again.
      .where('anonymised_at', 'is', null)
      .returning(['id', 'seq'])
      .execute();
    // Their new parts get new SMSC ids: a receipt for an old one must not move them.
    if (rows.length > 0) await sql`DELETE FROM sms_message_parts WHERE message_id = ANY(${rows.map((r) => r.id)}::bigint[])`.execute(trx);
    const chunks = [...new Set(rows.map((r) => Math.floor(r.seq / batch.chunk_size)))].sort((a, b) => a - b);
    if (chunks.length > 0) {
      await trx.updateTable('sms_chunks').set({ done: false }).where('batch_id', '=', batchId).where('chunk', 'in', chunks).execute();
      await trx.updateTable('sms_batches').set({ status: 'queued', completed_at: null }).where('id', '=', batchId).where('status', 'in', ['completed', 'sending']).execute();
    }
    return requeued(rows.length, chunks);
  });
}
