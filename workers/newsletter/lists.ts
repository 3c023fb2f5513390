// An organisation's newsletter lists. Every query is scoped to the organisation: another
// organisation's list is not found.
import type { Kysely } from 'kysely';
import { bulkTransaction } from '../../db/database.js';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../db/keyset.js';
import type { Database } from '../../db/schema.js';
import type { NewsletterList } from '../../db/schema.js';
import type { Language } from '../messages/catalogue.js';

export interface ListFields {
  readonly name: string;
  readonly description?: string | null;
  /** Imported subscribers' language unless a row gives one (Dutch when not set). */
  readonly language?: Language;
}

export async function createList(db: Kysely<Database>, organizationId: string, fields: ListFields): Promise<NewsletterList> {
  return db
    .insertInto('newsletter_lists')
    .values({ organization_id: organizationId, name: fields.name, description: fields.description ?? null, ...(fields.language && { language: fields.language }) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findList(db: Kysely<Database>, organizationId: string, id: string): Promise<NewsletterList | undefined> {
  return db.selectFrom('newsletter_lists').selectAll().where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
}

export async function updateList(db: Kysely<Database>, organizationId: string, id: string, fields: Partial<ListFields>): Promise<NewsletterList | undefined> {
  return db
    .updateTable('newsletter_lists')
    .set({ ...fields, updated_at: new Date() })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the list with its subscribers, consents and pending sign-ups; `audited` writes its audit entry in the same transaction. */
export async function deleteList(db: Kysely<Database>, organizationId: string, id: string, audited: (trx: Kysely<Database>) => Promise<void>): Promise<boolean> {
  // Its subscribers go with it (ON DELETE CASCADE): a list of 100,000 is a long statement.
  return bulkTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('newsletter_lists').where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    await audited(trx);
    return true;
  });
}

export async function listLists(db: Kysely<Database>, organizationId: string, options: { limit: number; after?: Keyset }): Promise<{ items: NewsletterList[]; next: Keyset | null }> {
  let query = db.selectFrom('newsletter_lists').selectAll().select(keysetMicros.as('keyset_micros')).where('organization_id', '=', organizationId);
  if (options.after) query = query.where(afterKeyset(options.after, 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  const { items, next } = keysetPage(rows, options.limit);
  return { items: items.map(({ keyset_micros: _, ...list }) => list), next };
}

/** Subscribed subscribers per list, for the list views. */
export async function subscriberCounts(db: Kysely<Database>, listIds: readonly string[]): Promise<Map<string, number>> {
  if (listIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('newsletter_subscribers')
    .select(['list_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('list_id', 'in', listIds)
    .where('status', '=', 'subscribed')
    .groupBy('list_id')
    .execute();
  return new Map(rows.map((r) => [r.list_id, Number(r.n)]));
}

/** A list by its id alone, for its public sign-up page (the id is the list's public name): not one of an organisation whose relationship ended. */
export async function findPublicList(db: Kysely<Database>, id: string): Promise<NewsletterList | undefined> {
  return db
    .selectFrom('newsletter_lists as l')
    .innerJoin('organizations as o', 'o.id', 'l.organization_id')
    .selectAll('l')
    .where('l.id', '=', id)
    .where('o.ended_at', 'is', null)
    .executeTakeFirst();
}
