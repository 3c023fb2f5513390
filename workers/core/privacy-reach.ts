// What a family declares so that privacy requests reach its tables (issue 15): the optional
// `privacy` section of its manifest (family.ts). The privacy family iterates FAMILIES; a
// family that adds a table with personal data adds it to its own section, and
// test/privacy-coverage.test.ts fails until it does. Helpers are in workers/privacy/reach.ts.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The person a request is about, in every form their identifiers may be stored in. */
export interface Subject {
  /** Lower-case addresses. */
  readonly emails: readonly string[];
  /** E.164 numbers. */
  readonly e164: readonly string[];
  /** Every stored format of those numbers: E.164, 0031…, 31…, national 06…, spaced and dashed. */
  readonly phones: readonly string[];
  /** Keyed hashes (SUPPRESSION_KEY) of each identifier: what opt-outs, restrictions and the ledger hold. */
  readonly hashes: readonly Buffer[];
  /** Keyed hashes of the numbers as sms_opt_outs holds them (phoneHash). */
  readonly phoneHashes: readonly Buffer[];
  /** The name given, used only to rewrite it (rectification), never to find anyone. */
  readonly name: string | null;
}

/** One row found, as the person is shown it: its table, id and the columns about them. */
export interface FoundItem {
  readonly table: string;
  readonly id: string;
  readonly organizationId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Category (a retention category's name) → rows. */
export type Found = Record<string, FoundItem[]>;

export interface CategoryCount {
  erased?: number;
  restricted?: number;
  kept?: number;
  rectified?: number;
}

/** What an erasure, restriction or rectification did to data a member controls: told to that member (art. 19, 28). */
export interface MemberEffect {
  readonly organizationId: string;
  readonly category: string;
  readonly count: number;
}

export interface ReachResult {
  readonly counts: Record<string, CategoryCount>;
  /** Categories kept under a legal obligation (P8), with why. */
  readonly kept: readonly { readonly category: string; readonly reason: string }[];
  readonly members: readonly MemberEffect[];
}

export interface Rectification {
  readonly name?: string;
  readonly email?: string;
  readonly e164?: string;
}

export interface PrivacyReach {
  /** Every table with personal data this section finds and erases (the coverage test reads it). */
  readonly tables: readonly (keyof Database)[];
  /** Where addresses and numbers are stored: npm run privacy:replay hashes each to find erased people a restore brought back. */
  readonly identifiers: readonly { readonly table: keyof Database; readonly column: string; readonly kind: 'email' | 'phone' }[];
  find(db: Kysely<Database>, subject: Subject): Promise<Found>;
  /** Runs in its own transaction, one per family. */
  erase(trx: Transaction<Database>, subject: Subject): Promise<ReachResult>;
  /** Stops processing beyond storage (queued sends suppressed, rows marked). */
  restrict?(trx: Transaction<Database>, subject: Subject): Promise<ReachResult>;
  /** Applies an approved correction wherever the value is held. */
  rectify?(trx: Transaction<Database>, subject: Subject, change: Rectification): Promise<ReachResult>;
}

