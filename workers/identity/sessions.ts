import { sql, type Kysely } from 'kysely';
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

export async function revokeSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}
