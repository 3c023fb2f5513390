// sms.apply-receipts: applies the receipts that waited in sms_receipts (receipts.ts). One whose
// part is still not stored, or whose message is still 'sending', waits for the next run; the
// reconciler makes sure there is one, and its sweep sets aside those that waited 10 minutes.
import { sql } from 'kysely';
import type { Handler } from '../core/handler.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { callbackJobs } from './callbacks.js';
import { noteReceiptStatuses } from './metrics.js';
import { applyToMessages, queueReceiptCallbacks, receiptJob } from './receipts.js';

const BATCH = 5_000;

export const applyReceipts: Handler<'sms.apply-receipts'> = async (_payload, { deps }) => {
  let applied = 0;
  const callbacks: Array<number | undefined> = [];
  let after = 0;
  for (;;) {
    const round = await deps.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('sms_receipts')
        .select(['id', 'smsc_id', 'stat', 'network_error', 'done_at'])
        .where('applied_at', 'is', null)
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      const result = await applyToMessages(trx, rows.map((r) => ({ key: Number(r.id), smscId: r.smsc_id, stat: r.stat, networkError: r.network_error, doneAt: r.done_at })));
      if (result.applied.length > 0) await trx.updateTable('sms_receipts').set({ applied_at: sql`now()` }).where('id', 'in', result.applied).execute();
      callbacks.push(...(await queueReceiptCallbacks(trx, result.changed)));
      noteReceiptStatuses(deps.metrics, deps.config.sms.provider, result.changed);
      return { taken: rows.length, last: Number(rows.at(-1)?.id ?? after), applied: result.applied.length };
    });
    applied += round.applied;
    after = round.last;
    if (round.taken < BATCH) break;
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
