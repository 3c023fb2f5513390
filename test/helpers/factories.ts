// Row factories: insert a row with working defaults, so a test names only the columns it cares
// about (`insertBatch(db, { organization_id: org.id, created_at })`). Straight into Postgres, for
// tests of what workers and purges do with rows; tests of the API make theirs through it.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.js';

type Table = keyof Database;
type Values<T extends Table> = Insertable<Database[T]>;

let sequence = 0;

async function insert<T extends Table>(db: Kysely<Database>, table: T, values: Values<T>): Promise<Selectable<Database[T]>> {
  const row: unknown = await db.insertInto(table).values(values).returningAll().executeTakeFirstOrThrow();
  return row as Selectable<Database[T]>;
}

export function insertOrganization(db: Kysely<Database>, values: Partial<Values<'organizations'>> = {}) {
  const n = ++sequence;
  return insert(db, 'organizations', { name: `Organisatie ${n}`, slug: `organisatie-${n}`, ...values });
}

/** A user who cannot log in (the hash matches no password): for rows, not for sessions. */
export function insertUser(db: Kysely<Database>, values: Pick<Values<'users'>, 'organization_id'> & Partial<Values<'users'>>) {
  const n = ++sequence;
  return insert(db, 'users', { username: `gebruiker${n}`, email: `gebruiker${n}@example.nl`, password_hash: 'scrypt$no-password', role: 'member', ...values });
}

export function insertBatch(db: Kysely<Database>, values: Pick<Values<'sms_batches'>, 'organization_id'> & Partial<Values<'sms_batches'>>) {
  return insert(db, 'sms_batches', { status: 'completed', sender: 'TGG', body: 'Hallo', chunk_size: 1000, ...values });
}

export function insertCallback(db: Kysely<Database>, values: Pick<Values<'sms_callbacks'>, 'organization_id' | 'batch_id'> & Partial<Values<'sms_callbacks'>>) {
  return insert(db, 'sms_callbacks', { payload: JSON.stringify({ type: 'batch.status', batchId: values.batch_id }), ...values });
}

export function insertMail(db: Kysely<Database>, values: Partial<Values<'mail_messages'>> = {}) {
  const n = ++sequence;
  return insert(db, 'mail_messages', { purpose: 'test', to_address: `ontvanger${n}@example.nl`, subject: 'hello', text_body: 'body', ...values });
}
