// Table types of the privacy family (db/schema.ts joins them into Database).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.js';

export const PRIVACY_REQUEST_TYPES = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'complaint'] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];
export const PRIVACY_REQUEST_STATUSES = ['unverified', 'awaiting-approval', 'verified', 'processing', 'done', 'rejected', 'expired'] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];

/** What a request did, per data category: counts and the P8 categories kept, never values. */
export interface PrivacyOutcome {
  readonly categories: Readonly<Record<string, { readonly found?: number; readonly erased?: number; readonly restricted?: number; readonly kept?: number }>>;
  /** Categories kept under a legal obligation (P8), with the reason the person is told. */
  readonly kept: readonly { readonly category: string; readonly reason: string }[];
  readonly note?: string;
}

type Json<T> = ColumnType<T, string | undefined, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface PrivacyRequestTable {
  id: Generated<string>;
  type: PrivacyRequestType;
  status: Generated<PrivacyRequestStatus>;
  filed_by: 'public' | 'ops';
  filed_by_ops: string | null;
  /** The person's identifiers until the request is done (erasure: replaced by identifier_hashes). */
  email: string | null;
  /** E.164 */
  phone: string | null;
  name: string | null;
  message: string | null;
  /** Proposed values for a rectification: { name?, email?, phone? }. */
  rectification: NullableJson<Record<string, string>>;
  email_verified_at: Timestamp | null;
  phone_verified_at: Timestamp | null;
  code_hash: Buffer | null;
  code_expires_at: Timestamp | null;
  code_attempts: Generated<number>;
  approved_by: string | null;
  approved_at: Timestamp | null;
  received_at: CreatedAt;
  due_at: Timestamp;
  extended_at: Timestamp | null;
  extension_reason: string | null;
  verified_at: Timestamp | null;
  completed_at: Timestamp | null;
  outcome: NullableJson<PrivacyOutcome>;
  identifier_hashes: ColumnType<Buffer[], Buffer[] | undefined, Buffer[]>;
  anonymised_at: Timestamp | null;
}

export interface PrivacyExportTable {
  id: Generated<string>;
  request_id: string;
  document: Json<unknown>;
  html: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface PrivacyLedgerTable {
  identifier_hash: Buffer;
  erased_at: CreatedAt;
}

export interface PrivacyRestrictionTable {
  identifier_hash: Buffer;
  request_id: string | null;
  created_at: CreatedAt;
}

export type PrivacyNoticeKind = 'erasure' | 'rectification' | 'restriction';

export interface PrivacyNoticeTable {
  id: Generated<string>;
  organization_id: string;
  request_id: string;
  kind: PrivacyNoticeKind;
  /** Per category: counts and the member's own row ids, nothing the member does not hold. */
  counts: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  callback_status: Generated<'none' | 'queued' | 'sent' | 'failed'>;
  callback_attempts: Generated<number>;
}

export interface PrivacyDatabase {
  privacy_requests: PrivacyRequestTable;
  privacy_exports: PrivacyExportTable;
  privacy_erasure_ledger: PrivacyLedgerTable;
  privacy_restrictions: PrivacyRestrictionTable;
  privacy_notices: PrivacyNoticeTable;
}

export type PrivacyRequest = Selectable<PrivacyRequestTable>;
