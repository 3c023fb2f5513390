import { sql, type Kysely } from 'kysely';
import type { Database, User, UserRole } from '../../db/schema.js';
import { hashPassword } from './passwords.js';

export type PublicUser = Pick<User, 'id' | 'organization_id' | 'username' | 'email' | 'role' | 'must_change_password' | 'compromised_at' | 'created_at'>;
const PUBLIC_COLUMNS = ['id', 'organization_id', 'username', 'email', 'role', 'must_change_password', 'compromised_at', 'created_at'] as const;

export class UsernameTakenError extends Error {
  constructor() {
    super('username taken');
    this.name = 'UsernameTakenError';
  }
}

export async function createUser(
  db: Kysely<Database>,
  input: { organizationId: string; username: string; email: string; password: string; role: UserRole },
): Promise<PublicUser> {
  const password_hash = await hashPassword(input.password);
  try {
    return await db
      .insertInto('users')
      .values({ organization_id: input.organizationId, username: input.username, email: input.email, password_hash, role: input.role })
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow();
  } catch (error) {
    if ((error as { code?: string; constraint?: string }).constraint === 'users_username_key') throw new UsernameTakenError();
    throw error;
  }
}

export async function findUser(db: Kysely<Database>, organizationId: string, id: string): Promise<PublicUser | undefined> {
  return db.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
}

export async function listUsers(db: Kysely<Database>, organizationId: string): Promise<PublicUser[]> {
  return db.selectFrom('users').select(PUBLIC_COLUMNS).where('organization_id', '=', organizationId).orderBy('created_at').execute();
}

/** For login: the user by username (case-insensitive) with its hash, if the organisation is live. */
export async function findLogin(db: Kysely<Database>, username: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('organizations as o', 'o.id', 'u.organization_id')
    .select(['u.id', 'u.password_hash', 'u.must_change_password'])
    .where(sql`lower(u.username)`, '=', username.toLowerCase())
    .where('o.ended_at', 'is', null)
    .executeTakeFirst();
}
