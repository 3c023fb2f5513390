// A batch's messages per status, from the running counts the triggers of sms_messages keep
// (migration 2026-12-05T11-10-00): a few rows per batch, whatever its size, instead of a
// count over every message.
import { sql, type Kysely } from 'kysely';
import { SMS_MESSAGE_STATUSES, type Database, type SmsMessageStatus } from '../../db/schema.js';

/** More delta rows than this and a batch's counts are folded into one row per status. */
const FOLD_ABOVE = 64;

export async function countsByStatus(db: Kysely<Database>, batchId: string): Promise<Record<SmsMessageStatus, number>> {
  const rows = await db
    .selectFrom('sms_batch_counts')
    .select(['status', (eb) => eb.fn.sum<string>('n').as('n')])
    .where('batch_id', '=', batchId)
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(SMS_MESSAGE_STATUSES.map((status) => [status, 0])) as Record<SmsMessageStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/**
 * Folds the delta rows of batches that have many into one row per status. Exact under
 * concurrency: the DELETE takes only rows committed before it (a row another fold took
 * meanwhile is skipped), and deltas written meanwhile stay as they are. Returns the batches folded.
 */
export async function foldBatchCounts(db: Kysely<Database>, limit = 100): Promise<number> {
  const result = await sql<{ batch_id: string }>`
    WITH many AS (
      SELECT batch_id FROM sms_batch_counts GROUP BY batch_id HAVING count(*) > ${FOLD_ABOVE} LIMIT ${limit}
    ), gone AS (
      DELETE FROM sms_batch_counts c USING many WHERE c.batch_id = many.batch_id RETURNING c.batch_id, c.status, c.n
    )
    INSERT INTO sms_batch_counts (batch_id, status, n)
    SELECT batch_id, status, sum(n) FROM gone
    WHERE EXISTS (SELECT 1 FROM sms_batches b WHERE b.id = gone.batch_id)
    GROUP BY batch_id, status HAVING sum(n) <> 0
    RETURNING batch_id`.execute(db);
  return new Set(result.rows.map((r) => r.batch_id)).size;
}
