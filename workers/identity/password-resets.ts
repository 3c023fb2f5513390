import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { hashToken, newToken } from './tokens.js';

const RESET_TTL_HOURS = 24;

/** Returns the token; only its hash is stored. */
export async function createPasswordReset(db: Kysely<Database>, userId: string): Promise<string> {
  const token = newToken('reset');
  await db
    .insertInto('password_resets')
    .values({ user_id: userId, token_hash: token.hash, expires_at: sql<Date>`now() + make_interval(hours => ${RESET_TTL_HOURS})` })
    .execute();
  return token.token;
}

/** Uses a live reset token once; returns the user's id and username, or undefined. */
export async function consumePasswordReset(db: Kysely<Database>, token: string): Promise<{ userId: string; username: string } | undefined> {
  const row = await db
    .updateTable('password_resets')
    .set({ used_at: sql`now()` })
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('user_id')
    .executeTakeFirst();
  if (!row) return undefined;
  const user = await db.selectFrom('users').select(['id', 'username']).where('id', '=', row.user_id).executeTakeFirstOrThrow();
  return { userId: user.id, username: user.username };
}
