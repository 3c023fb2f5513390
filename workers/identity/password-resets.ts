import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { audit } from '../core/audit.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { hashToken, newToken } from './tokens.js';

export const RESET_TTL_HOURS = 24;

/** Returns the token; only its hash is stored. */
export async function createPasswordReset(db: Kysely<Database>, userId: string): Promise<string> {
  const token = newToken('reset');
  await db
    .insertInto('password_resets')
    .values({ user_id: userId, token_hash: token.hash, expires_at: sql<Date>`now() + make_interval(hours => ${RESET_TTL_HOURS})` })
    .execute();
  return token.token;
}

export type ResetOutcome = { status: 'done'; userId: string } | { status: 'invalid-token' } | { status: 'weak-password'; problem: string };

/**
 * Sets a new password with a live reset token, which is then used up; a refused password leaves it live.
 * The user is the audit actor; the entry is stored in the same transaction.
 */
export async function resetPassword(db: Db, token: string, password: string): Promise<ResetOutcome> {
  return db.transaction().execute(async (trx) => {
    const reset = await trx
      .selectFrom('password_resets as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['r.id', 'u.id as user_id', 'u.username'])
      .where('r.token_hash', '=', hashToken(token))
      .where('r.used_at', 'is', null)
      .where('r.expires_at', '>', sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
    if (!reset) return { status: 'invalid-token' };
    const problem = await passwordProblem(password, reset.username);
    if (problem) return { status: 'weak-password', problem };
    await trx.updateTable('password_resets').set({ used_at: sql`now()` }).where('user_id', '=', reset.user_id).where('used_at', 'is', null).execute();
    await trx
      .updateTable('users')
      .set({ password_hash: await hashPassword(password), must_change_password: false, password_changed_at: sql`now()` })
      .where('id', '=', reset.user_id)
      .execute();
    // Every session ends with the old password: also one a login racing a "compromised" stored.
    const ended = await trx.updateTable('sessions').set({ revoked_at: sql`now()` }).where('user_id', '=', reset.user_id).where('revoked_at', 'is', null).executeTakeFirst();
    await audit(trx, { actorType: 'user', actorId: reset.user_id, action: 'user.password_reset', entityType: 'user', entityId: reset.user_id, details: { sessionsEnded: Number(ended.numUpdatedRows) } });
    return { status: 'done', userId: reset.user_id };
  });
}
