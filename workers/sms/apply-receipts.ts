// sms.apply-receipts: matches stored receipts to message parts (by the SMSC id, or another
// reading of it), and moves each message: delivered when all its parts are, failed or expired when one
// is. A receipt whose part is not stored yet (it came before submit_sm_resp was committed),
// or whose message is still 'sending' (outcome not written yet), waits for the next run; the
// reconciler makes sure there is one.
import { sql } from 'kysely';
import type { Handler } from '../core/handler.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { callbackJobs, queueCallback } from './callbacks.js';
import { receiptJob } from './receipts.js';
import { partStateOf } from './smpp/receipt.js';

const BATCH = 5_000;

export const applyReceipts: Handler<'sms.apply-receipts'> = async (_payload, { deps, log }) => {
  // Receipts that matched no part (or more than one) for 10 minutes are set aside.
  const discarded = await deps.db
    .updateTable('sms_receipts')
    .set({ applied_at: sql`now()` })
    .where('applied_at', 'is', null)
    .where('received_at', '<', sql<Date>`now() - interval '10 minutes'`)
    .executeTakeFirst();
  if (discarded.numUpdatedRows > 0n) log.warn({ count: Number(discarded.numUpdatedRows) }, 'receipts without a matching part set aside');
  let applied = 0;
  const changedBatches = new Map<string, Array<{ id: number; index: number; status: string; errorCode: string | null }>>();
  for (;;) {
    const round = await deps.db.transaction().execute(async (trx) => {
      // The id exactly as stored wins (the newest part, should an SMSC reuse ids); another
      // reading of it (hex for decimal) only when it points at exactly one part, so a receipt
      // never moves someone else's message.
      const matched = await sql<{ receipt_id: string; message_id: string; part: number; stat: string }>`
        WITH pending AS (
          SELECT id, smsc_id, smsc_ids, stat FROM sms_receipts WHERE applied_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
        ), exact AS (
          SELECT DISTINCT ON (r.id) r.id AS receipt_id, p.message_id, p.part, r.stat
          FROM pending r JOIN sms_message_parts p ON p.smsc_id = r.smsc_id
          ORDER BY r.id, p.message_id DESC
        ), other AS (
          SELECT r.id AS receipt_id, min(p.message_id) AS message_id, min(p.part) AS part, r.stat
          FROM pending r JOIN sms_message_parts p ON p.smsc_id = ANY(r.smsc_ids)
          WHERE NOT EXISTS (SELECT 1 FROM exact e WHERE e.receipt_id = r.id)
          GROUP BY r.id, r.stat HAVING count(*) = 1
        )
        SELECT x.* FROM (SELECT * FROM exact UNION ALL SELECT * FROM other) x
        -- Still 'sending': its parts are stored just before the window's outcomes, so the
        -- receipt waits for the next run rather than find the message not yet 'sent'.
        WHERE NOT EXISTS (SELECT 1 FROM sms_messages m WHERE m.id = x.message_id AND m.status = 'sending')`.execute(trx);
      if (matched.rows.length === 0) return 0;
      const finals = matched.rows.flatMap((r) => {
        const state = partStateOf(r.stat);
        return state ? [{ ...r, state }] : [];
      });
      if (finals.length > 0) {
        await sql`
          UPDATE sms_message_parts p SET state = u.state
          FROM unnest(${finals.map((f) => f.message_id)}::bigint[], ${finals.map((f) => f.part)}::smallint[], ${finals.map((f) => f.state)}::text[]) AS u(message_id, part, state)
          WHERE p.message_id = u.message_id AND p.part = u.part`.execute(trx);
        const messageIds = [...new Set(finals.map((f) => f.message_id))];
        const updated = await sql<{ id: string; batch_id: string; seq: number; status: string; error_code: string | null }>`
          UPDATE sms_messages m SET
            status = CASE WHEN agg.delivered THEN 'delivered' WHEN agg.expired THEN 'expired' WHEN agg.failed THEN 'failed' WHEN agg.unknown THEN 'unknown' ELSE m.status END,
            delivered_at = CASE WHEN agg.delivered THEN now() ELSE m.delivered_at END,
            error_code = CASE WHEN agg.delivered THEN NULL WHEN agg.expired THEN 'expired' WHEN agg.failed THEN 'undeliverable' ELSE m.error_code END
          FROM (
            SELECT message_id, bool_and(state = 'delivered') AS delivered, bool_or(state = 'expired') AS expired,
                   bool_or(state IN ('undeliverable', 'rejected')) AS failed, bool_or(state = 'unknown') AS unknown
            FROM sms_message_parts WHERE message_id = ANY(${messageIds}::bigint[]) GROUP BY message_id
          ) agg
          WHERE m.id = agg.message_id AND m.status IN ('sent', 'unknown')
          RETURNING m.id, m.batch_id, m.seq, m.status, m.error_code`.execute(trx);
        for (const row of updated.rows) {
          const list = changedBatches.get(row.batch_id) ?? [];
          list.push({ id: Number(row.id), index: row.seq, status: row.status, errorCode: row.error_code });
          changedBatches.set(row.batch_id, list);
        }
      }
      await sql`UPDATE sms_receipts SET applied_at = now() WHERE id = ANY(${matched.rows.map((r) => r.receipt_id)}::bigint[])`.execute(trx);
      return matched.rows.length;
    });
    applied += round;
    if (round < BATCH) break;
  }
  const callbacks: Array<number | undefined> = [];
  for (const [batchId, messages] of changedBatches) {
    const batch = await deps.db.selectFrom('sms_batches').select(['id', 'organization_id', 'callback_url', 'reference']).where('id', '=', batchId).executeTakeFirst();
    if (batch) callbacks.push(await queueCallback(deps.db, batch, { type: 'messages.status', messages }));
  }
  // A receipt that came before its submit_sm_resp was stored: look again in a second, for a minute.
  const early = await deps.db
    .selectFrom('sms_receipts')
    .select('id')
    .where('applied_at', 'is', null)
    .where('received_at', '>', sql<Date>`now() - interval '1 minute'`)
    .limit(1)
    .executeTakeFirst();
  await enqueueAfterCommit(deps, [...callbackJobs(callbacks), ...(early ? [receiptJob(1_000)] : [])]);
  return { applied };
};
