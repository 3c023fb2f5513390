// Delivery receipts (SMPP 3.4 appendix B): "id:… sub:… dlvrd:… submit date:… done date:…
// stat:DELIVRD err:000 text:…", or the receipted_message_id and message_state TLVs.
import type { PartState } from '../../../db/schema.js';

export interface Receipt {
  readonly smscId: string;
  readonly stat: string;
}

const STATES_BY_TLV: Record<number, string> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

export function parseReceipt(text: string, tlv: { receiptedMessageId?: string | undefined; messageState?: number | undefined }): Receipt | undefined {
  const id = tlv.receiptedMessageId ?? /\bid:(\S+)/i.exec(text)?.[1];
  const stat = /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase() ?? (tlv.messageState !== undefined ? STATES_BY_TLV[tlv.messageState] : undefined);
  if (!id || !stat) return undefined;
  return { smscId: id, stat };
}

/** The final states; ENROUTE and ACCEPTD say nothing yet. */
export function partStateOf(stat: string): PartState | undefined {
  switch (stat) {
    case 'DELIVRD':
      return 'delivered';
    case 'UNDELIV':
    case 'DELETED':
      return 'undeliverable';
    case 'EXPIRED':
      return 'expired';
    case 'REJECTD':
      return 'rejected';
    case 'UNKNOWN':
      return 'unknown';
    default:
      return undefined;
  }
}
