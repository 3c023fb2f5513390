// Contact persons of an organisation (P2, P7 in ARCHITECTURE.md). Every query is scoped to the
// organisation; listing is keyset-paginated on (created_at, id).
import { sql, type Kysely } from 'kysely';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../db/keyset.js';
import type { Db } from '../../db/database.js';
import type { Contact, ContactRole, Database } from '../../db/schema.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { NotFoundError } from '../core/domain-errors.js';

const NO_CONTACT = 'No such contact.';

export interface ContactFields {
  readonly role: ContactRole;
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;

/** Runs a change and stores its audit entry in the same transaction. */
async function audited<T>(db: Db, actor: Actor, action: string, id: (result: T) => string, change: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const result = await change(trx);
    await audit(trx, { ...actor, action, entityType: 'contact', entityId: id(result) });
    return result;
  });
}

export async function createContact(db: Db, organizationId: string, fields: ContactFields, actor: Actor): Promise<Contact> {
  return audited(db, actor, 'contact.created', (c) => c.id, (trx) =>
    trx.insertInto('contacts').values({ organization_id: organizationId, ...fields }).returningAll().executeTakeFirstOrThrow(),
  );
}

/** NotFoundError when the organisation has no such contact. */
export async function findContact(db: Kysely<Database>, organizationId: string, id: string): Promise<Contact> {
  const contact = await db.selectFrom('contacts').selectAll().where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
  if (!contact) throw new NotFoundError(NO_CONTACT);
  return contact;
}

export async function updateContact(db: Db, organizationId: string, id: string, fields: Partial<ContactFields>, actor: Actor): Promise<Contact> {
  return audited(db, actor, 'contact.updated', (c) => c.id, async (trx) => {
    const contact = await trx
      .updateTable('contacts')
      .set({ ...fields, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('organization_id', '=', organizationId)
      .returningAll()
      .executeTakeFirst();
    if (!contact) throw new NotFoundError(NO_CONTACT);
    return contact;
  });
}

export async function deleteContact(db: Db, organizationId: string, id: string, actor: Actor): Promise<void> {
  await audited(db, actor, 'contact.deleted', () => id, async (trx) => {
    const result = await trx.deleteFrom('contacts').where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError(NO_CONTACT);
  });
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
