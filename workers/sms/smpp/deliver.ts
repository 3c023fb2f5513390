// deliver_sm from the SMSC: a delivery receipt is read here and taken by the caller (receipts.ts);
// an incoming message goes to incoming.ts (stop words, replies). The PDU is acknowledged only
// after either is stored.
import type { PDU } from 'smpp';
import { takeIncoming } from '../incoming.js';
import type { ProviderDeps } from '../providers/provider.js';
import { incomingOf } from './incoming-pdu.js';
import { parseReceipt, type Receipt } from './receipt.js';

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

export function isReceipt(pdu: PDU): boolean {
  return ((pdu.esm_class ?? 0) & RECEIPT_BITS) === MC_DELIVERY_RECEIPT;
}

/** The delivery receipt a deliver_sm carries; undefined for an unreadable one. */
export function receiptOf(pdu: PDU): Receipt | undefined {
  return parseReceipt(textOf(pdu), { receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state });
}

/** An incoming message (not a receipt): a stop word or a reply. */
export async function handleIncoming(deps: ProviderDeps, suppressionKey: string, pdu: PDU): Promise<void> {
  await takeIncoming(deps, suppressionKey, incomingOf(pdu));
}
