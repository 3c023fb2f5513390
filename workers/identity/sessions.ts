import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { newToken } from './tokens.js';

export async function createSession(db: Kysely<Database>, userId: string, ttlMinutes: number): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken('session');
  const row = await db
    .insertInto('sessions')
    .values({ user_id: userId, token_hash: token.hash, expires_at: sql<Date>`now() + make_interval(mins => ${ttlMinutes})` })
    .returning('expires_at')
    .executeTakeFirstOrThrow();
  return { token: token.token, expiresAt: row.expires_at };
}

/**
 * A login's session, stored only while the account is as the login checked it (the password hash
 * it verified, no new password required), held to the commit: a "compromised" or a new password
 * that committed meanwhile is seen (undefined: the login fails), one that comes later waits for
 * this and then ends the session with the rest.
 */
export async function createCheckedSession(db: Db, login: { id: string; password_hash: string }, ttlMinutes: number): Promise<{ token: string; expiresAt: Date } | undefined> {
  return db.transaction().execute(async (trx) => {
    const unchanged = await trx
      .selectFrom('users')
      .select('id')
      .where('id', '=', login.id)
      .where('password_hash', '=', login.password_hash)
      .where('must_change_password', '=', false)
      .forShare()
      .executeTakeFirst();
    return unchanged ? createSession(trx, login.id, ttlMinutes) : undefined;
  });
}

export async function revokeSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}
