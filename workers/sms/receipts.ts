// Delivery receipts from any provider (SMPP deliver_sm, the HTTP gateway's hook): stored in
// sms_receipts under the canonical id, then applied by the sms.apply-receipts job.
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import type { ProviderDeps } from './providers/provider.js';
import { idForms, receiptKey } from './smpp/message-ids.js';
import type { Receipt } from './smpp/receipt.js';

const BUCKET_MS = 200;

/**
 * Receipts are applied in small time buckets: the job of a bucket runs just after the bucket
 * ends, so it sees every receipt stored during it, and a later receipt gets a later job.
 */
export function receiptJob(laterMs = 0) {
  const now = Date.now();
  const bucket = Math.floor((now + laterMs) / BUCKET_MS);
  return { name: 'sms.apply-receipts' as const, payload: { bucket }, options: { delay: (bucket + 1) * BUCKET_MS - now + 20 } };
}

export async function storeReceipts(deps: ProviderDeps, receipts: readonly Receipt[]): Promise<void> {
  if (receipts.length === 0) return;
  await deps.db
    .insertInto('sms_receipts')
    .values(receipts.map((r) => ({ smsc_id: receiptKey(r.smscId), smsc_ids: idForms(r.smscId), stat: r.stat, error: r.error })))
    .execute();
  await enqueueAfterCommit(deps, [receiptJob()]);
}
