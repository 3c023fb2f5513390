// deliver_sm from the SMSC: a delivery receipt is stored and applied by the sms.apply-receipts
// job; an incoming STOP, UIT or AFMELDEN opts its sender out for every organisation that sent
// to that number. The PDU is acknowledged only after this is stored.
import { sql } from 'kysely';
import type * as smpp from 'smpp';
import type { Config } from '../../core/config.js';
import { enqueueAfterCommit } from '../../core/enqueue-after-commit.js';
import { normalizePhone } from '../../phone/e164.js';
import { maskPhone, phoneHash } from '../opt-outs.js';
import type { ProviderDeps } from '../providers/provider.js';
import { receiptKey } from './message-ids.js';
import { isStopWord, parseReceipt } from './receipt.js';

const RECEIPT_BITS = 0x3c;
const MC_DELIVERY_RECEIPT = 0x04;

function textOf(pdu: smpp.PDU): string {
  const sm = pdu.short_message;
  if (typeof sm === 'string') return sm;
  if (Buffer.isBuffer(sm)) return sm.toString('latin1');
  const message = sm?.message;
  if (typeof message === 'string') return message;
  return message ? message.toString('latin1') : '';
}

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

export async function handleDeliver(deps: ProviderDeps, config: Config, pdu: smpp.PDU): Promise<void> {
  const text = textOf(pdu);
  if (((pdu.esm_class ?? 0) & RECEIPT_BITS) === MC_DELIVERY_RECEIPT) {
    const receipt = parseReceipt(text, { receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state });
    if (!receipt) return;
    await deps.db.insertInto('sms_receipts').values({ smsc_id: receiptKey(receipt.smscId), stat: receipt.stat, error: receipt.error }).execute();
    await enqueueAfterCommit(deps, [receiptJob()]);
    return;
  }
  if (!isStopWord(text)) return;
  const parsed = normalizePhone(`+${String(pdu.source_addr ?? '').replace(/^\+/, '')}`);
  if (!parsed.ok) return;
  const hash = phoneHash(config.suppressionKey, parsed.e164);
  const result = await sql`
    INSERT INTO sms_opt_outs (organization_id, phone_hash, masked, source)
    SELECT DISTINCT organization_id, ${hash}::bytea, ${maskPhone(parsed.e164, parsed.countryCallingCode)}, 'reply'
    FROM sms_messages WHERE phone = ${parsed.e164}
    ON CONFLICT DO NOTHING`.execute(deps.db);
  deps.logger.info({ organizations: Number(result.numAffectedRows ?? 0) }, 'opt-out by SMS reply');
}
