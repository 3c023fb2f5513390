// What a retention category is (ARCHITECTURE.md, rule 9): one entry per category of personal data,
// each declared by its family (workers/<family>/retention.ts). The policy composed of them all
// (policy.ts) drives the nightly purge, the public register and the README's table.
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

export interface RetentionPeriod {
  readonly years?: number;
  readonly months?: number;
  readonly days?: number;
}

export type RetentionAction =
  | { readonly kind: 'delete' }
  /** Clears the personal columns and stamps `marker`; the rest of the row (counts, costs) stays. */
  | { readonly kind: 'anonymise'; readonly columns: readonly string[]; readonly marker: string };

export interface RetentionCategory {
  readonly category: string;
  readonly table: keyof Database;
  /** The row's key: a column, or the columns of a composite primary key. */
  readonly key: string | readonly string[];
  /** Timestamp column that starts the clock, on the table itself or on a parent row. */
  readonly clock: string | { readonly column: string; readonly via: { readonly table: keyof Database; readonly foreignKey: string } };
  /** An indexed column never later than the clock: it bounds the purge's scan when the clock itself is not indexed. */
  readonly floor?: string;
  /** Monthly partitions (`<table>_YYYYMM`): those wholly past the cut-off are dropped before the row purge. */
  readonly partitionedByMonth?: boolean;
  /** In the transaction that drops a month's partition (no row trigger sees a drop): removes what sums its rows. */
  readonly partitionDropped?: (trx: Db, month: { readonly year: number; readonly month: number }) => Promise<void>;
  readonly keep: RetentionPeriod;
  /** How the period reads in the register. */
  readonly keepText: string;
  readonly action: RetentionAction;
  readonly dataSubjects: string;
  readonly personalData: readonly string[];
  readonly purpose: string;
  readonly legalBasis: string;
  readonly processors: readonly ProcessorId[];
}

/** A category's key as a list of columns (one, or a composite key's). */
export const keyColumnsOf = (category: Pick<RetentionCategory, 'key'>): readonly string[] => (typeof category.key === 'string' ? [category.key] : category.key);

export const PROCESSORS = {
  'mail-relay': { name: 'Mail relay', role: 'delivers e-mail (the SMTP relay configured in SMTP_URL)' },
  'sms-gateway': { name: 'SMS gateway', role: 'delivers SMS (the SMSC in SMPP_URL, or the HTTP gateway)' },
  hosting: { name: 'Hosting provider', role: 'runs the servers, PostgreSQL and Redis in the EU' },
} as const;
export type ProcessorId = keyof typeof PROCESSORS;

export interface RetentionSettings {
  /** Days after an organisation's relationship ends before its contacts and users go (P7). */
  readonly relationshipGraceDays: number;
  /** Years a privacy request is kept as proof of compliance (PRIVACY_PROOF_YEARS). */
  readonly privacyProofYears: number;
}

export const DEFAULT_RETENTION_SETTINGS: RetentionSettings = { relationshipGraceDays: 90, privacyProofYears: 5 };

/** A family's categories, with the periods of these settings. */
export type RetentionCategories = (settings: RetentionSettings) => readonly RetentionCategory[];

/** The categories of every family, in the order of the list. */
export function policyOf(families: readonly { readonly retention?: RetentionCategories }[], settings: RetentionSettings): readonly RetentionCategory[] {
  return families.flatMap((family) => family.retention?.(settings) ?? []);
}
