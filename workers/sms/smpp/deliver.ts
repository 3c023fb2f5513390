// deliver_sm and data_sm from the SMSC: a delivery receipt is read here and taken by the caller
// (receipts.ts); an incoming message goes to incoming.ts (stop words, replies). The PDU is
// acknowledged only after either is stored. The text is in short_message or, when that is empty
// (always in data_sm), in the message_payload TLV.
import type { ReadPdu } from './pdu-reader.js';
import { takeIncoming } from '../incoming.js';
import type { ProviderDeps } from '../providers/provider.js';
import { incomingOf } from './incoming-pdu.js';
import { parseReceipt, type ReceiptReading } from './receipt.js';

const RECEIPT_BITS = 0x3c;
const MC_DELIVERY_RECEIPT = 0x04;
/** SMPP 3.4 5.2.12: an intermediate delivery notification (ENROUTE and the like). */
const INTERMEDIATE_NOTIFICATION = 0x20;

function stringOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  const message = (value as { message?: unknown } | undefined)?.message;
  return message === undefined ? '' : stringOf(message);
}

function textOf(pdu: ReadPdu): string {
  return stringOf(pdu.short_message) || stringOf(pdu.message_payload);
}

export function isReceipt(pdu: ReadPdu): boolean {
  const kind = (pdu.esm_class ?? 0) & RECEIPT_BITS;
  return kind === MC_DELIVERY_RECEIPT || kind === INTERMEDIATE_NOTIFICATION;
}

/** The delivery receipt a deliver_sm or data_sm carries, or why it cannot be read. */
export function receiptOf(pdu: ReadPdu): ReceiptReading {
  const networkErrorCode = Buffer.isBuffer(pdu.network_error_code) ? pdu.network_error_code : undefined;
  return parseReceipt(textOf(pdu), { receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state, networkErrorCode });
}

/** An incoming message (not a receipt): a stop word or a reply. */
export async function handleIncoming(deps: ProviderDeps, suppressionKey: string, pdu: ReadPdu): Promise<void> {
  await takeIncoming(deps, suppressionKey, incomingOf(pdu));
}
