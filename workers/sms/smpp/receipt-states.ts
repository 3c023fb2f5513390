// The states a delivery receipt names: SMPP 3.4 section 5.2.28 (message_state 1 to 8), SMPP
// 5.0's SCHEDULED (0) and SKIPPED (9), and the words SMSCs write for them in a receipt's text
// or an HTTP gateway's report: the short forms of appendix B, their long forms, and the
// variants Kannel accepts (ACKED, BUFFRED, BUFFERD for a message still on its way).
import type { PartState } from '../../../db/schema.js';

/** Indexed by the message_state TLV's value. */
const BY_TLV = ['SCHEDULED', 'ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'SKIPPED'] as const;

export type ReceiptState = (typeof BY_TLV)[number];

const WORDS: Readonly<Record<string, ReceiptState>> = {
  SCHEDULED: 'SCHEDULED',
  ENROUTE: 'ENROUTE',
  DELIVRD: 'DELIVRD',
  DELIVERED: 'DELIVRD',
  EXPIRED: 'EXPIRED',
  EXPIRD: 'EXPIRED',
  DELETED: 'DELETED',
  UNDELIV: 'UNDELIV',
  UNDELIVERABLE: 'UNDELIV',
  UNDELIVERED: 'UNDELIV',
  ACCEPTD: 'ACCEPTD',
  ACCEPTED: 'ACCEPTD',
  ACKED: 'ACCEPTD',
  BUFFRED: 'ACCEPTD',
  BUFFERD: 'ACCEPTD',
  BUFFERED: 'ACCEPTD',
  UNKNOWN: 'UNKNOWN',
  REJECTD: 'REJECTD',
  REJECTED: 'REJECTD',
  SKIPPED: 'SKIPPED',
};

/** The state a word names, whatever its case; undefined for a word no SMSC uses. */
export function stateOfWord(word: string): ReceiptState | undefined {
  return Object.hasOwn(WORDS, word.toUpperCase()) ? WORDS[word.toUpperCase()] : undefined;
}

/** The state a message_state TLV names; undefined when absent or outside the table. */
export function stateOfTlv(value: number | undefined): ReceiptState | undefined {
  return value === undefined ? undefined : BY_TLV[value];
}

/**
 * The part state a final receipt state gives. SCHEDULED, ENROUTE and ACCEPTD (also ACKED and
 * BUFFRED) say nothing final yet: undefined, so the receipt is taken and changes nothing.
 */
export function partStateOf(stat: string): PartState | undefined {
  switch (stat) {
    case 'DELIVRD':
      return 'delivered';
    case 'UNDELIV':
    case 'DELETED':
    case 'SKIPPED':
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
