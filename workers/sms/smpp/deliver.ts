// deliver_sm from the SMSC: a delivery receipt is stored and applied by the sms.apply-receipts
// job; an incoming STOP, UIT or AFMELDEN opts its sender out for every organisation that sent
// to that number. The PDU is acknowledged only after this is stored.
import type { PDU } from 'smpp';
import type { Config } from '../../core/config.js';
import { optOutByReply } from '../opt-out-reply.js';
import type { ProviderDeps } from '../providers/provider.js';
import { storeReceipts } from '../receipts.js';
import { parseReceipt } from './receipt.js';

const RECEIPT_BITS = 0x3c;
const MC_DELIVERY_RECEIPT = 0x04;

function textOf(pdu: PDU): string {
  const sm = pdu.short_message;
  if (typeof sm === 'string') return sm;
  if (Buffer.isBuffer(sm)) return sm.toString('latin1');
  const message = sm?.message;
  if (typeof message === 'string') return message;
  return message ? message.toString('latin1') : '';
}

export async function handleDeliver(deps: ProviderDeps, config: Config, pdu: PDU): Promise<void> {
  const text = textOf(pdu);
  if (((pdu.esm_class ?? 0) & RECEIPT_BITS) === MC_DELIVERY_RECEIPT) {
    const receipt = parseReceipt(text, { receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state });
    if (receipt) await storeReceipts(deps, [receipt]);
    return;
  }
  await optOutByReply(deps, config.suppressionKey, String(pdu.source_addr ?? ''), text);
}
