// One statement stores the checked rows of one or more imports (several requests' imports
// group-committed together, or one slice of a large import): each import's list found within
// its organisation, suppressed addresses skipped, new subscribers added with their consent,
// known subscribed ones updated, unsubscribed ones left alone, and (when it names an actor)
// the import's audit entry, all committed together. Rows of one call must not name the same
// (list, address) twice: ON CONFLICT may touch a row once per statement.
import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../../db/compiled-once.js';
import { integerArray, textArray } from '../core/pg-array.js';
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

/** The statement's values by name: one array per column of its two unnests, and its constants. */
interface ImportValues {
  readonly item: string;
  readonly organization_id: string;
  readonly list_id: string;
  readonly basis: string;
  readonly actor_type: string;
  readonly actor_id: string;
  readonly row_item: string;
  readonly row_email: string;
  readonly row_name: string;
  readonly row_attributes: string;
  readonly row_language: string;
  readonly row_hash: readonly Buffer[];
  readonly privacy_statement: string;
  readonly action: string;
}

/** Compiled once (db/compiled-once.ts) and prepared once per connection: the text is the same for any imports, one statement per group of requests. */
const importStatement = compiledOnce(
  (_db, v: ImportValues) => sql<{ item: number; added: number; updated: number }>`
      WITH item AS (
        SELECT * FROM unnest(${v.item}::int[], ${v.organization_id}::uuid[], ${v.list_id}::uuid[],
                             ${v.basis}::text[], ${v.actor_type}::text[], ${v.actor_id}::text[])
          AS t(item, organization_id, list_id, basis, actor_type, actor_id)
      ),
      found AS (
        SELECT item.*, l.language AS list_language
        FROM item JOIN newsletter_lists l ON l.id = item.list_id AND l.organization_id = item.organization_id
      ),
      candidate AS (
        SELECT f.item, f.organization_id, f.list_id, f.basis, r.email, r.name, r.attributes,
               coalesce(r.language, f.list_language) AS language, r.language IS NOT NULL AS names_language
        FROM unnest(${v.row_item}::int[], ${v.row_email}::text[], ${v.row_name}::text[],
                    ${v.row_attributes}::jsonb[], ${v.row_language}::text[], ${v.row_hash}::bytea[])
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
        SELECT id, organization_id, list_id, 'import', ${v.privacy_statement}, basis FROM stored WHERE inserted
      ),
      counted AS (
        SELECT f.item, f.organization_id, f.list_id, f.actor_type, f.actor_id,
               count(st.id) FILTER (WHERE st.inserted)::int AS added, count(st.id) FILTER (WHERE NOT st.inserted)::int AS updated
        FROM found f LEFT JOIN stored st ON st.item = f.item
        GROUP BY f.item, f.organization_id, f.list_id, f.actor_type, f.actor_id
      ),
      audited AS (
        INSERT INTO audit_log (actor_type, actor_id, organization_id, action, entity_type, entity_id, details)
        SELECT actor_type, actor_id, organization_id, ${v.action}, 'newsletter_list', list_id::text, jsonb_build_object('added', added, 'updated', updated)
        FROM counted WHERE actor_type IS NOT NULL
      )
      SELECT item, added, updated FROM counted
    `,
  { prepared: true },
);

export async function storeImports(db: Kysely<Database>, imports: readonly StoredImport[], privacyStatement: string): Promise<StoreOutcome[]> {
  const rows = imports.flatMap((imp, item) => imp.rows.map((row) => ({ item, ...row })));
  const { rows: found } = await db.executeQuery(
    importStatement(db, {
      item: integerArray(imports.map((_, i) => i)),
      organization_id: textArray(imports.map((i) => i.organizationId)),
      list_id: textArray(imports.map((i) => i.listId)),
      basis: textArray(imports.map((i) => i.basis)),
      actor_type: textArray(imports.map((i) => i.actor?.actorType ?? null)),
      actor_id: textArray(imports.map((i) => i.actor?.actorId ?? null)),
      row_item: integerArray(rows.map((r) => r.item)),
      row_email: textArray(rows.map((r) => r.email)),
      row_name: textArray(rows.map((r) => r.name)),
      row_attributes: textArray(rows.map((r) => JSON.stringify(r.attributes))),
      row_language: textArray(rows.map((r) => r.language)),
      row_hash: rows.map((r) => r.hash),
      privacy_statement: privacyStatement,
      action: IMPORT_AUDIT_ACTION,
    }),
  );
  const outcomes: StoreOutcome[] = imports.map(() => undefined);
  for (const f of found) outcomes[f.item] = { added: f.added, updated: f.updated };
  return outcomes;
}
