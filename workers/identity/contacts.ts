// Contact persons of an organisation (P2, P7 in ARCHITECTURE.md). Every query is scoped to the
// organisation; listing is keyset-paginated on (created_at, id).
import { sql, type Kysely } from 'kysely';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../db/keyset.js';
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
  readonly next: Keyset | null;
}

export async function listContacts(
  db: Kysely<Database>,
  organizationId: string,
  options: { limit: number; role?: ContactRole; after?: Keyset },
): Promise<ContactPage> {
  let query = db.selectFrom('contacts').selectAll().select(keysetMicros.as('keyset_micros')).where('organization_id', '=', organizationId);
  if (options.role) query = query.where('role', '=', options.role);
  if (options.after) query = query.where(afterKeyset(options.after, 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  const { items, next } = keysetPage(rows, options.limit);
  return { items: items.map(({ keyset_micros: _, ...contact }) => contact), next };
}
