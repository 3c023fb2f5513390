// Importing subscribers into a list: each address checked and normalised, new ones added with
// a consent record (method `import`, the basis given), known ones updated. An unsubscribed
// address stays unsubscribed and a suppressed one (suppression.ts) is not added: an import
// never re-subscribes anyone. Reasons come by row number, never with the address. A row may
// name the subscriber's language (one of the catalogue's); without one a new subscriber gets
// the list's and a known one keeps theirs.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { LegalBasis, SubscriberAttributes } from '../../db/schema.js';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../messages/catalogue.js';
import { normaliseAddress } from './address.js';
import { suppressedAmong, suppressionHash } from './suppression.js';

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

export interface ImportTarget {
  readonly organizationId: string;
  readonly listId: string;
  /** The list's language: new subscribers' unless their row names one (default Dutch). */
  readonly language?: Language;
}

interface Candidate {
  readonly name: string | null;
  readonly attributes: SubscriberAttributes;
  readonly language: Language | null;
}

export async function importSubscribers(
  db: Kysely<Database>,
  target: ImportTarget,
  rows: readonly ImportRow[],
  consent: { basis: LegalBasis; privacyStatement: string },
  suppressionKey: string,
): Promise<ImportResult> {
  const result: ImportResult = { added: 0, updated: 0, suppressed: 0, invalid: 0, rejected: [] };
  const byEmail = new Map<string, Candidate>();
  const reject = (i: number, reason: string) => {
    result.invalid += 1;
    result.rejected.push({ row: i + 1, reason });
  };
  rows.forEach((row, i) => {
    const checked = normaliseAddress(row.email);
    if (!checked.ok) return reject(i, checked.reason);
    const language = row.language?.trim().toLowerCase() || null;
    if (language !== null && !isLanguage(language)) return reject(i, 'language');
    byEmail.set(checked.email, { name: row.name ?? null, attributes: row.attributes ?? {}, language });
  });
  const entries = [...byEmail];
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < entries.length; start += BATCH) {
      const candidates = entries.slice(start, start + BATCH);
      const hashes = candidates.map(([email]) => suppressionHash(suppressionKey, email));
      const suppressed = await suppressedAmong(trx, target.organizationId, hashes);
      const batch = candidates.filter((_, i) => !suppressed.has(hashes[i]?.toString('hex') ?? ''));
      result.suppressed += candidates.length - batch.length;
      if (batch.length === 0) continue;
      const stored = [
        ...(await upsert(trx, target, batch.filter(([, c]) => c.language === null), false)),
        ...(await upsert(trx, target, batch.filter(([, c]) => c.language !== null), true)),
      ];
      const added = stored.filter((s) => s.inserted);
      result.added += added.length;
      result.updated += stored.length - added.length;
      result.suppressed += batch.length - stored.length;
      if (added.length > 0) {
        await trx
          .insertInto('newsletter_consents')
          .values(added.map((s) => ({ subscriber_id: s.id, organization_id: target.organizationId, list_id: target.listId, method: 'import' as const, privacy_statement: consent.privacyStatement, legal_basis: consent.basis })))
          .execute();
      }
    }
  });
  return result;
}

/** Adds or updates (while subscribed) a batch; a known subscriber's language changes only when the rows name one. */
async function upsert(trx: Kysely<Database>, target: ImportTarget, batch: readonly [string, Candidate][], namesLanguage: boolean) {
  if (batch.length === 0) return [];
  return trx
    .insertInto('newsletter_subscribers')
    .values(batch.map(([email, c]) => ({ organization_id: target.organizationId, list_id: target.listId, email, name: c.name, attributes: JSON.stringify(c.attributes), language: c.language ?? target.language ?? DEFAULT_LANGUAGE })))
    .onConflict((oc) =>
      oc
        .columns(['list_id', 'email'])
        .doUpdateSet({
          name: sql`coalesce(excluded.name, newsletter_subscribers.name)`,
          attributes: sql`newsletter_subscribers.attributes || excluded.attributes`,
          ...(namesLanguage && { language: sql`excluded.language` }),
        })
        .where('newsletter_subscribers.status', '=', 'subscribed'),
    )
    .returning(['id', sql<boolean>`xmax = 0`.as('inserted')])
    .execute();
}
