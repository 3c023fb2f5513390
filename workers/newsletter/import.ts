// Importing subscribers into a list: each address checked and normalised, new ones added with
// a consent record (method `import`, the basis given), known ones updated. An unsubscribed
// address stays unsubscribed and a suppressed one (suppression.ts) is not added: an import
// never re-subscribes anyone. Reasons come by row number, never with the address. A row may
// name the subscriber's language (one of the catalogue's); without one a new subscriber gets
// the list's and a known one keeps theirs. The rows are stored by store-imports.ts.
import type { Kysely } from 'kysely';
import type { Database, LegalBasis, SubscriberAttributes } from '../../db/schema.js';
import { NotFoundError } from '../core/domain-errors.js';
import { unstorableText } from '../core/unstorable-text.js';
import { LANGUAGES, type Language } from '../messages/catalogue.js';
import { normaliseAddress } from './address.js';
import { storeImports, type CheckedRow, type StoreOutcome } from './store-imports.js';
import { suppressionHash } from './suppression.js';

export interface ImportRow {
  readonly email: string;
  readonly name?: string | undefined;
  readonly attributes?: SubscriberAttributes | undefined;
  /** Checked here against the catalogue's languages (a CSV cell may say anything). */
  readonly language?: string | undefined;
}

export interface ImportResult {
  added: number;
  updated: number;
  suppressed: number;
  invalid: number;
  /** Row numbers start at 1; only rows not stored are listed. */
  readonly rejected: { row: number; reason: string }[];
}

const BATCH = 1000;
const isLanguage = (value: string): value is Language => (LANGUAGES as readonly string[]).includes(value);
/** A CSV cell may hold text Postgres cannot store: one such row failed the whole import with a 500. */
const unstorable = (text: unknown) => typeof text === 'string' && unstorableText(text) !== undefined;

export interface ImportTarget {
  readonly organizationId: string;
  readonly listId: string;
}

export interface ImportConsent {
  readonly basis: LegalBasis;
  readonly privacyStatement: string;
}

/** The rows normalised, each address once (a later row of the same address wins), and those refused. */
export interface CheckedRows {
  readonly rows: CheckedRow[];
  readonly rejected: { row: number; reason: string }[];
}

export function checkRows(rows: readonly ImportRow[], suppressionKey: string): CheckedRows {
  const byEmail = new Map<string, CheckedRow>();
  const rejected: { row: number; reason: string }[] = [];
  rows.forEach((row, i) => {
    const checked = normaliseAddress(row.email);
    if (!checked.ok) return void rejected.push({ row: i + 1, reason: checked.reason });
    const language = row.language?.trim().toLowerCase() || null;
    if (language !== null && !isLanguage(language)) return void rejected.push({ row: i + 1, reason: 'language' });
    if (unstorable(row.name) || Object.values(row.attributes ?? {}).some(unstorable)) return void rejected.push({ row: i + 1, reason: 'invalid-characters' });
    const email = checked.email;
    byEmail.set(email, { email, hash: suppressionHash(suppressionKey, email), name: row.name ?? null, attributes: row.attributes ?? {}, language });
  });
  return { rows: [...byEmail.values()], rejected };
}

/** What the caller is told: rows stored neither as added nor as updated were suppressed or unsubscribed. */
export function importResult(checked: CheckedRows, stored: { added: number; updated: number }): ImportResult {
  return {
    added: stored.added,
    updated: stored.updated,
    suppressed: checked.rows.length - stored.added - stored.updated,
    invalid: checked.rejected.length,
    rejected: checked.rejected,
  };
}

/** A whole import in one transaction, BATCH rows a statement; the list must be the organisation's (else NotFoundError). */
export async function importSubscribers(db: Kysely<Database>, target: ImportTarget, rows: readonly ImportRow[], consent: ImportConsent, suppressionKey: string): Promise<ImportResult> {
  const checked = checkRows(rows, suppressionKey);
  const total = { added: 0, updated: 0 };
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start === 0 || start < checked.rows.length; start += BATCH) {
      const [outcome]: StoreOutcome[] = await storeImports(trx, [{ ...target, basis: consent.basis, rows: checked.rows.slice(start, start + BATCH) }], consent.privacyStatement);
      if (!outcome) throw new NotFoundError('No such list.');
      total.added += outcome.added;
      total.updated += outcome.updated;
    }
  });
  return importResult(checked, total);
}
