// Delivery receipts (SMPP 3.4 appendix B): "id:… sub:… dlvrd:… submit date:… done date:…
// stat:DELIVRD err:000 text:…", in short_message or the message_payload TLV, and the
// receipted_message_id, message_state and network_error_code TLVs, which win over the text.
import { receiptFields } from './receipt-fields.js';
import { stateOfTlv, stateOfWord } from './receipt-states.js';

export { partStateOf } from './receipt-states.js';

export interface Receipt {
  readonly smscId: string;
  /** A state of receipt-states.ts (DELIVRD, UNDELIV, ENROUTE, ...). */
  readonly stat: string;
  /** The network's error code, when it is not zero. */
  readonly networkError?: string | undefined;
  /** When the network delivered the message or gave up on it (the `done date`). */
  readonly doneAt?: Date | undefined;
}

/** Why a receipt could not be read: it is logged and counted under this reason, never applied. */
export type UnreadableReason = 'no-id' | 'no-state' | 'unknown-state';

export type ReceiptReading = { readonly receipt: Receipt } | { readonly unreadable: UnreadableReason };

export interface ReceiptTlvs {
  readonly receiptedMessageId?: string | undefined;
  readonly messageState?: number | undefined;
  /** Three octets: the network type, then the error code (big-endian). */
  readonly networkErrorCode?: Buffer | undefined;
}

const MAX_ID = 65;
const MAX_ERROR = 16;
/** A done date further ahead than this is the SMSC's clock, not the network's: not used. */
const MAX_AHEAD_MS = 24 * 3600_000;

/** Called as `charCodeAt.call(s, i)`: inlined whatever the string's representation (see ../encoding.ts). */
const charCodeAt = String.prototype.charCodeAt; // eslint-disable-line @typescript-eslint/unbound-method -- only ever called with .call
const DIGITS = /^\d{10}(?:\d{2})?$/;
/** The two digits at `i` as a number (the string is checked to be digits). */
const twoDigits = (s: string, i: number) => (charCodeAt.call(s, i) - 48) * 10 + charCodeAt.call(s, i + 1) - 48;

/** YYMMDDhhmm[ss] as milliseconds since the epoch (UTC); undefined when it is no valid time. Read digit by digit: a match and a map per receipt were a fortieth of the worker. */
function instantOf(value: string): number | undefined {
  if (!DIGITS.test(value)) return undefined;
  const yy = twoDigits(value, 0);
  const mo = twoDigits(value, 2);
  const dd = twoDigits(value, 4);
  const hh = twoDigits(value, 6);
  const mi = twoDigits(value, 8);
  const ss = value.length === 12 ? twoDigits(value, 10) : 0;
  const date = new Date(Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss));
  const exact = date.getUTCMonth() === mo - 1 && date.getUTCDate() === dd && date.getUTCHours() === hh && date.getUTCMinutes() === mi && date.getUTCSeconds() === ss;
  return exact ? date.getTime() : undefined;
}

/**
 * The last done date read and its instant: an SMSC writes the same minute (or second) into the
 * receipts of a burst, and each was read and checked field by field again.
 */
let lastDone: { readonly value: string; readonly ms: number | undefined } | undefined;

/** YYMMDDhhmm[ss], read as UTC; undefined when it is no valid time, or further ahead than MAX_AHEAD_MS. A new Date each time. */
export function parseDoneDate(value: string | undefined, now = Date.now()): Date | undefined {
  if (!value) return undefined;
  if (lastDone?.value !== value) lastDone = { value, ms: instantOf(value) };
  const ms = lastDone.ms;
  return ms !== undefined && ms <= now + MAX_AHEAD_MS ? new Date(ms) : undefined;
}

/** A network error code worth keeping: undefined for none, empty or zero ("000"). */
export function nonZeroError(code: string | undefined): string | undefined {
  const trimmed = code?.trim().slice(0, MAX_ERROR);
  return trimmed === undefined || /^0*$/.test(trimmed) ? undefined : trimmed;
}

function networkErrorOf(tlv: Buffer | undefined, text: string | undefined): string | undefined {
  return nonZeroError(tlv && tlv.length >= 3 ? String(tlv.readUInt16BE(1)).padStart(3, '0') : text);
}

export function parseReceipt(text: string, tlv: ReceiptTlvs): ReceiptReading {
  // Whatever follows "text:" is the start of the message itself, never read.
  const fields = receiptFields(text);
  const id = (tlv.receiptedMessageId?.trim() || fields.id)?.slice(0, MAX_ID);
  if (!id) return { unreadable: 'no-id' };
  const word = fields.stat;
  const stat = stateOfTlv(tlv.messageState) ?? (word === undefined ? undefined : stateOfWord(word));
  if (!stat) return { unreadable: word === undefined && tlv.messageState === undefined ? 'no-state' : 'unknown-state' };
  const networkError = networkErrorOf(tlv.networkErrorCode, fields.err);
  const doneAt = parseDoneDate(fields.doneDate);
  return { receipt: { smscId: id, stat, networkError, doneAt } };
}
