// One statement stores the checked rows of one or more imports (several requests' imports
// group-committed together, or one slice of a large import): each import's list found within
// its organisation, suppressed addresses skipped, new subscribers added with their consent,
// known subscribed ones updated, unsubscribed ones left alone, and (when it names an actor)
// the import's audit entry, all committed together. Rows of one call must not name the same
// (list, address) twice: ON CONFLICT may touch a row once per statement.
import { sql, type Kysely } from 'kysely';
import type { Database, LegalBasis, SubscriberAttributes } from '../../db/schema.js';
import type { AuditEntry } from '../core/audit.js';
import type { Language } from '../messages/catalogue.js';

/** A checked, normalised row; `language` null keeps a known subscriber's (a new one gets the list's). */
export interface CheckedRow {
  readonly email: string;
  readonly hash: Buffer;
  readonly name: string | null;
  readonly attributes: SubscriberAttributes;
  readonly language: Language | null;
}

export interface StoredImport {
  readonly organizationId: string;
  readonly listId: string;
  readonly basis: LegalBasis;
  readonly rows: readonly CheckedRow[];
  /** Audited in the same statement, with its counts, when given. */
  readonly actor?: Pick<AuditEntry, 'actorType' | 'actorId'> | undefined;
}

/** undefined: the list is not the organisation's (or is gone). Rows neither added nor updated were suppressed or unsubscribed. */
export type StoreOutcome = { readonly added: number; readonly updated: number } | undefined;

export const IMPORT_AUDIT_ACTION = 'newsletter.subscribers.imported';

export async function storeImports(db: Kysely<Database>, imports: readonly StoredImport[], privacyStatement: string): Promise<StoreOutcome[]> {
  const rows = imports.flatMap((imp, item) => imp.rows.map((row) => ({ item, ...row })));
  const { rows: found } = await sql<{ item: number; added: number; updated: number }>`
    WITH item AS (
      SELECT * FROM unnest(${imports.map((_, i) => i)}::int[], ${imports.map((i) => i.organizationId)}::uuid[], ${imports.map((i) => i.listId)}::uuid[],
                           ${imports.map((i) => i.basis)}::text[], ${imports.map((i) => i.actor?.actorType ?? null)}::text[], ${imports.map((i) => i.actor?.actorId ?? null)}::text[])
        AS t(item, organization_id, list_id, basis, actor_type, actor_id)
    ),
    found AS (
      SELECT item.*, l.language AS list_language
      FROM item JOIN newsletter_lists l ON l.id = item.list_id AND l.organization_id = item.organization_id
    ),
    candidate AS (
      SELECT f.item, f.organization_id, f.list_id, f.basis, r.email, r.name, r.attributes,
             coalesce(r.language, f.list_language) AS language, r.language IS NOT NULL AS names_language
      FROM unnest(${rows.map((r) => r.item)}::int[], ${rows.map((r) => r.email)}::text[], ${rows.map((r) => r.name)}::text[],
                  ${rows.map((r) => JSON.stringify(r.attributes))}::jsonb[], ${rows.map((r) => r.language)}::text[], ${rows.map((r) => r.hash)}::bytea[])
        AS r(item, email, name, attributes, language, hash)
      JOIN found f ON f.item = r.item
      WHERE NOT EXISTS (SELECT 1 FROM newsletter_suppressions s WHERE s.organization_id = f.organization_id AND s.address_hash = r.hash)
    ),
    -- A known subscriber's language changes only when the row names one: two inserts, the rows split between them.
    kept_language AS (
      INSERT INTO newsletter_subscribers AS s (organization_id, list_id, email, name, attributes, language)
      SELECT organization_id, list_id, email, name, attributes, language FROM candidate WHERE NOT names_language ORDER BY list_id, email
      ON CONFLICT (list_id, email) DO UPDATE SET name = coalesce(excluded.name, s.name), attributes = s.attributes || excluded.attributes
      WHERE s.status = 'subscribed'
      RETURNING s.id, s.list_id, s.email, s.xmax = 0 AS inserted
    ),
    named_language AS (
      INSERT INTO newsletter_subscribers AS s (organization_id, list_id, email, name, attributes, language)
      SELECT organization_id, list_id, email, name, attributes, language FROM candidate WHERE names_language ORDER BY list_id, email
      ON CONFLICT (list_id, email) DO UPDATE SET name = coalesce(excluded.name, s.name), attributes = s.attributes || excluded.attributes, language = excluded.language
      WHERE s.status = 'subscribed'
      RETURNING s.id, s.list_id, s.email, s.xmax = 0 AS inserted
    ),
    stored AS (
      SELECT c.item, c.organization_id, c.list_id, c.basis, st.id, st.inserted
      FROM (SELECT * FROM kept_language UNION ALL SELECT * FROM named_language) st
      JOIN candidate c ON c.list_id = st.list_id AND c.email = st.email
    ),
    consent AS (
      INSERT INTO newsletter_consents (subscriber_id, organization_id, list_id, method, privacy_statement, legal_basis)
      SELECT id, organization_id, list_id, 'import', ${privacyStatement}, basis FROM stored WHERE inserted
    ),
    counted AS (
      SELECT f.item, f.organization_id, f.list_id, f.actor_type, f.actor_id,
             count(st.id) FILTER (WHERE st.inserted)::int AS added, count(st.id) FILTER (WHERE NOT st.inserted)::int AS updated
      FROM found f LEFT JOIN stored st ON st.item = f.item
      GROUP BY f.item, f.organization_id, f.list_id, f.actor_type, f.actor_id
    ),
    audited AS (
      INSERT INTO audit_log (actor_type, actor_id, organization_id, action, entity_type, entity_id, details)
      SELECT actor_type, actor_id, organization_id, ${IMPORT_AUDIT_ACTION}, 'newsletter_list', list_id::text, jsonb_build_object('added', added, 'updated', updated)
      FROM counted WHERE actor_type IS NOT NULL
    )
    SELECT item, added, updated FROM counted
  `.execute(db);
  const outcomes: StoreOutcome[] = imports.map(() => undefined);
  for (const f of found) outcomes[f.item] = { added: f.added, updated: f.updated };
  return outcomes;
}
