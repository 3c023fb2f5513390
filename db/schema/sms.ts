// Table types of the SMS family: batches, messages, their parts and receipts, opt-outs and replies.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Language, Timestamp } from './columns.js';

export type SmsBatchStatus = 'validating' | 'scheduled' | 'queued' | 'sending' | 'completed' | 'cancelled';
/** Every status a message can have, in the order the API lists counts (the migration's CHECK spells the same set). */
export const SMS_MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled', 'suppressed', 'unknown'] as const;
export type SmsMessageStatus = (typeof SMS_MESSAGE_STATUSES)[number];
export type SmsChannel = 'sms' | 'email';
/** marketing needs a way to opt out in its text; opt-out-confirmation is the platform's own free SMS. */
export type SmsBatchPurpose = 'service' | 'marketing' | 'opt-out-confirmation';

export interface SmsBatchTable {
  id: Generated<string>;
  organization_id: string;
  status: SmsBatchStatus;
  purpose: ColumnType<SmsBatchPurpose, SmsBatchPurpose | undefined, SmsBatchPurpose>;
  sender: string;
  /** The template; erased with the messages (P5). */
  body: string | null;
  reference: string | null;
  callback_url: string | null;
  /** The language of the mail that carries the SMS to a recipient with only an address. */
  language: Generated<Language>;
  idempotency_key: string | null;
  send_at: Timestamp | null;
  chunk_size: number;
  chunks: Generated<number>;
  accepted: Generated<number>;
  rejected: Generated<number>;
  /** The first 100: { index, reason } with reason codes only. */
  rejections: ColumnType<Array<{ index: number; reason: string }>, string | undefined, string>;
  encoding: 'gsm7' | 'ucs2' | 'mixed' | null;
  segments_min: number | null;
  segments_max: number | null;
  segments_total: Generated<number>;
  /** numeric(14,4) as a string: money is never a float. */
  cost: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  anonymised_at: Timestamp | null;
}

export interface SmsChunkTable {
  batch_id: string;
  chunk: number;
  done: Generated<boolean>;
}

/** Deltas of a batch's message counts per status, written by triggers on sms_messages; summed to read. */
export interface SmsBatchCountTable {
  batch_id: string;
  status: SmsMessageStatus;
  n: string;
}

export interface SmsMessageTable {
  id: Generated<number>;
  batch_id: string;
  organization_id: string;
  /** Position in the batch (index of the JSON array, or CSV data row from 0). */
  seq: number;
  channel: SmsChannel;
  phone: string | null;
  email: string | null;
  fields: ColumnType<Record<string, string> | null, string | null, string | null>;
  /** The personalised text; erased 6 months after sending (P5). */
  text: string | null;
  /** Country calling code (or 'email'): kept for billing after the number is erased. */
  destination: string;
  encoding: 'gsm7' | 'ucs2';
  segments: number;
  cost: ColumnType<string, string, string>;
  status: SmsMessageStatus;
  error_code: string | null;
  provider_message_id: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  anonymised_at: Timestamp | null;
  retain_from: ColumnType<Date, never, never>;
  /**
   * Keyed hashes (SUPPRESSION_KEY: phoneHash, suppressionHash) of `phone` and `email` as the
   * intake computed them for its own check; null where it did not (send-chunk.ts hashes those).
   * Erased and purged with the number and the address.
   */
  phone_hash: Buffer | null;
  email_hash: Buffer | null;
}

export interface SmsOptOutTable {
  organization_id: string;
  /** HMAC-SHA256 of the E.164 number under SUPPRESSION_KEY. */
  phone_hash: Buffer;
  /** +31 6 ****4321 */
  masked: string;
  /** 'reply': the person replied STOP, and only the person can undo it; 'api': the member added it. */
  source: 'api' | 'reply';
  created_at: CreatedAt;
}

export interface SmsOutboxTable {
  id: Generated<number>;
  message_id: number;
  sender: string;
  recipient: string;
  text: string;
  encoding: string;
  segments: number;
  created_at: CreatedAt;
}

export interface SmsCallbackTable {
  id: Generated<number>;
  organization_id: string;
  batch_id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<'queued' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  last_http_status: number | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

/** A window of messages claimed for sending whose outcome is not written yet. */
export interface SmsClaimTable {
  id: Generated<number>;
  batch_id: string;
  first_seq: number;
  last_seq: number;
  claimed_at: CreatedAt;
}

export type PartState = 'submitted' | 'delivered' | 'undeliverable' | 'expired' | 'rejected' | 'unknown';

export interface SmsMessagePartTable {
  message_id: number;
  part: number;
  /** Canonical: lower case, no leading zeros. */
  smsc_id: string;
  state: Generated<PartState>;
  /** The network's error code from the part's receipt (`err:` or network_error_code), when not zero. */
  network_error: string | null;
  /** When the network delivered the part or gave up on it (the receipt's `done date`). */
  done_at: Timestamp | null;
}

export interface SmsReceiptTable {
  id: Generated<number>;
  /** Canonical (receiptKey); the other readings of it are derived when matching. */
  smsc_id: string;
  /** DELIVRD, UNDELIV, EXPIRED, REJECTD, UNKNOWN, ... */
  stat: string;
  network_error: string | null;
  done_at: Timestamp | null;
  received_at: CreatedAt;
  applied_at: Timestamp | null;
}

/** A STOP keyword: "STOP <keyword>" opts out of this organisation only. Unique on the platform. */
export interface SmsKeywordTable {
  keyword: string;
  organization_id: string;
  created_at: CreatedAt;
}

/** A part of a concatenated reply waiting for the others (a day at most). */
export interface SmsReplyPartTable {
  id: Generated<number>;
  /** HMAC of sender, destination, reference and part count under SUPPRESSION_KEY. */
  concat_key: Buffer;
  part: number;
  total: number;
  text: string;
  received_at: CreatedAt;
}

/** An incoming SMS that is not a stop word, for the organisation whose message it answers. */
export interface SmsReplyTable {
  id: Generated<number>;
  organization_id: string;
  batch_id: string | null;
  message_id: number | null;
  message_seq: number | null;
  /** E.164; erased 6 months after the reply (P5), with the text. */
  phone: string | null;
  text: string | null;
  received_at: CreatedAt;
  anonymised_at: Timestamp | null;
}

/** When a number last got an opt-out confirmation (at most one a day). */
/** When an organisation last confirmed an opt-out to a number (one a day per organisation and number). */
export interface SmsOptOutConfirmationTable {
  organization_id: string;
  phone_hash: Buffer;
  sent_at: Timestamp;
}

export interface SmsDatabase {
  sms_keywords: SmsKeywordTable;
  sms_reply_parts: SmsReplyPartTable;
  sms_replies: SmsReplyTable;
  sms_opt_out_confirmations: SmsOptOutConfirmationTable;
  sms_message_parts: SmsMessagePartTable;
  sms_receipts: SmsReceiptTable;
  sms_batches: SmsBatchTable;
  sms_chunks: SmsChunkTable;
  sms_batch_counts: SmsBatchCountTable;
  sms_claims: SmsClaimTable;
  sms_messages: SmsMessageTable;
  sms_opt_outs: SmsOptOutTable;
  sms_outbox: SmsOutboxTable;
  sms_callbacks: SmsCallbackTable;
}

export type SmsBatch = Selectable<SmsBatchTable>;
export type SmsMessage = Selectable<SmsMessageTable>;
