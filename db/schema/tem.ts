// Table types of the Telecom Expense Management family (db/schema.ts joins them into Database).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.js';

/** numeric: an exact decimal, always a string (never a float). */
type Decimal = ColumnType<string, string, string>;
/** date: node-postgres reads it as local midnight; written as 'YYYY-MM-DD'. */
type DateOnly = ColumnType<Date, string, string>;

export const TEM_UPLOAD_STATUSES = ['received', 'parsing', 'parsed', 'rejected', 'failed'] as const;
export type TemUploadStatus = (typeof TEM_UPLOAD_STATUSES)[number];
export type TemUploadKind = 'cdr' | 'einvoice';
/** A refused row or a whole-file reason: a line number (1 is the header) and a code, never the row's contents. */
export interface TemUploadError {
  readonly line: number | null;
  readonly code: string;
  readonly column?: string;
  /** A whole-file reason's explanation (e-invoices: what was found), never the file's data. */
  readonly message?: string;
}

export interface TemUploadTable {
  id: Generated<string>;
  organization_id: string;
  kind: TemUploadKind;
  profile: string | null;
  carrier: string | null;
  /** The charset the sender named for the file (canonical name); null: the bytes decide. */
  charset: ColumnType<string | null, string | null | undefined, string | null>;
  sha256: string;
  size_bytes: number;
  status: Generated<TemUploadStatus>;
  rows_stored: Generated<number>;
  rows_refused: Generated<number>;
  errors: ColumnType<TemUploadError[], string | undefined, string>;
  period_start: DateOnly | null;
  period_end: DateOnly | null;
  attempts: Generated<number>;
  /** The latest call of the file (the upload time until parsed): the retention clock of its raw bytes. */
  retain_from: Generated<Date>;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
  raw_deleted_at: Timestamp | null;
}

export interface TemUploadChunkTable {
  id: Generated<number>;
  upload_id: string;
  seq: number;
  data: Buffer;
}

export const CALL_TYPES = ['voice', 'sms', 'mms', 'data', 'voicemail', 'subscription', 'other'] as const;
export type CallType = (typeof CALL_TYPES)[number];

export interface CallRecordTable {
  id: Generated<number>;
  organization_id: string;
  upload_id: string;
  line: number;
  msisdn: string;
  user_name: string | null;
  started_at: Timestamp;
  call_type: CallType;
  direction: 'outgoing' | 'incoming' | null;
  destination: string | null;
  destination_masked: boolean;
  duration_s: number | null;
  billed_s: number | null;
  volume_bytes: number | null;
  bundle: string | null;
  amount: Decimal;
  currency: string;
  vat_rate: Decimal | null;
  roaming: boolean;
  visited_network: string | null;
  cost_centre_hint: string | null;
}

export interface TemPeriodChargeTable {
  id: Generated<number>;
  organization_id: string;
  upload_id: string;
  line: number;
  msisdn: string;
  user_name: string | null;
  description: string | null;
  call_type: CallType;
  amount: Decimal;
  currency: string;
  vat_rate: Decimal | null;
  period_start: DateOnly;
  period_end: DateOnly;
  cost_centre_hint: string | null;
}

export interface TemCostCentreTable {
  id: Generated<string>;
  organization_id: string;
  code: string;
  name: string;
  created_at: CreatedAt;
}

export interface TemSubscriptionTable {
  id: Generated<string>;
  organization_id: string;
  /** E.164 */
  msisdn: string;
  holder_name: string | null;
  /** The holder was set through the API: uploads no longer overwrite it. */
  holder_set: Generated<boolean>;
  /** Our allocation; wins over the carrier's hint. */
  cost_centre_id: string | null;
  cost_centre_hint: string | null;
  /** The day the member ended it: invoices billing it after this are flagged. */
  ended_on: ColumnType<Date | null, string | null | undefined, string | null>;
  first_seen_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  /** A privacy restriction (art. 18) on the number: stored only, left out of every report. */
  restricted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Sums and counts of a month's call records or period charges per number, call type, currency and carrier hint (kept by triggers: the migration 2026-12-05T16-30-00_tem-cost-rollup). */
export interface TemCostRollupTable {
  id: Generated<string>;
  organization_id: string;
  /** The first day of the month (Amsterdam time for a call, the period's start for a charge). */
  month: DateOnly;
  source: 'call' | 'charge';
  msisdn: string;
  call_type: CallType;
  currency: string;
  cost_centre_hint: string | null;
  amount: Decimal;
  records: ColumnType<string, string | number, string | number>;
  /** The latest call or period end summed: the retention backstop's clock. */
  retain_from: Timestamp;
}

/** One row per statement that changed an organisation's report inputs; their sum is the report's version. */
export interface TemReportChangeTable {
  organization_id: string;
  n: Generated<string>;
}

export interface TemDatabase {
  tem_uploads: TemUploadTable;
  tem_upload_chunks: TemUploadChunkTable;
  call_records: CallRecordTable;
  tem_period_charges: TemPeriodChargeTable;
  tem_cost_centres: TemCostCentreTable;
  tem_subscriptions: TemSubscriptionTable;
  tem_cost_rollup: TemCostRollupTable;
  tem_report_changes: TemReportChangeTable;
}

export type TemUpload = Selectable<TemUploadTable>;
export type TemCostCentre = Selectable<TemCostCentreTable>;
