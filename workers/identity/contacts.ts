// Contact persons of an organisation (REQUIREMENTS P2, P7). Every query is scoped to the
// organisation; listing is keyset-paginated on (created_at, id).
import { sql, type Kysely } from 'kysely';
import type { Contact, ContactRole, Database } from '../../db/schema.js';

export interface ContactFields {
  readonly role: ContactRole;
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
}

export async function createContact(db: Kysely<Database>, organizationId: string, fields: ContactFields): Promise<Contact> {
  return db.insertInto('contacts').values({ organization_id: organizationId, ...fields }).returningAll().executeTakeFirstOrThrow();
}

export async function findContact(db: Kysely<Database>, organizationId: string, id: string): Promise<Contact | undefined> {
  return db.selectFrom('contacts').selectAll().where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
}

export async function updateContact(db: Kysely<Database>, organizationId: string, id: string, fields: Partial<ContactFields>): Promise<Contact | undefined> {
  return db
    .updateTable('contacts')
    .set({ ...fields, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteContact(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('contacts').where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export interface ContactPage {
  readonly items: Contact[];
  readonly next: { createdAt: Date; id: string } | null;
}

export async function listContacts(
  db: Kysely<Database>,
  organizationId: string,
  options: { limit: number; role?: ContactRole; after?: { createdAt: Date; id: string } },
): Promise<ContactPage> {
  // The cursor carries a JavaScript Date (milliseconds) while created_at has microseconds: sort
  // and compare on the millisecond value, or the last row of a page comes back on the next one.
  const at = sql<Date>`date_trunc('milliseconds', created_at)`;
  let query = db.selectFrom('contacts').selectAll().where('organization_id', '=', organizationId);
  if (options.role) query = query.where('role', '=', options.role);
  if (options.after) {
    const { createdAt, id } = options.after;
    query = query.where(sql<boolean>`(${at}, id) > (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query.orderBy(at).orderBy('id').limit(options.limit + 1).execute();
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return { items, next: rows.length > options.limit && last ? { createdAt: last.created_at, id: last.id } : null };
}
