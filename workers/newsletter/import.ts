// Importing subscribers into a list: each address checked and normalised, new ones added with
// a consent record (method `import`, the basis given), known ones updated. An unsubscribed
// address stays unsubscribed and a suppressed one (suppression.ts) is not added: an import
// never re-subscribes anyone. Reasons come by row number, never with the address.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { LegalBasis, SubscriberAttributes } from '../../db/schema.js';
import { normaliseAddress } from './address.js';
import { suppressedAmong, suppressionHash } from './suppression.js';

export interface ImportRow {
  readonly email: string;
  readonly name?: string | undefined;
  readonly attributes?: SubscriberAttributes | undefined;
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

export async function importSubscribers(
  db: Kysely<Database>,
  target: { organizationId: string; listId: string },
  rows: readonly ImportRow[],
  consent: { basis: LegalBasis; privacyStatement: string },
  suppressionKey: string,
): Promise<ImportResult> {
  const result: ImportResult = { added: 0, updated: 0, suppressed: 0, invalid: 0, rejected: [] };
  const byEmail = new Map<string, { name: string | null; attributes: SubscriberAttributes }>();
  rows.forEach((row, i) => {
    const checked = normaliseAddress(row.email);
    if (!checked.ok) {
      result.invalid += 1;
      result.rejected.push({ row: i + 1, reason: checked.reason });
      return;
    }
    byEmail.set(checked.email, { name: row.name ?? null, attributes: row.attributes ?? {} });
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
      const stored = await trx
        .insertInto('newsletter_subscribers')
        .values(batch.map(([email, s]) => ({ organization_id: target.organizationId, list_id: target.listId, email, name: s.name, attributes: JSON.stringify(s.attributes) })))
        .onConflict((oc) =>
          oc
            .columns(['list_id', 'email'])
            .doUpdateSet({ name: sql`coalesce(excluded.name, newsletter_subscribers.name)`, attributes: sql`newsletter_subscribers.attributes || excluded.attributes` })
            .where('newsletter_subscribers.status', '=', 'subscribed'),
        )
        .returning(['id', sql<boolean>`xmax = 0`.as('inserted')])
        .execute();
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
