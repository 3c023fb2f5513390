// A caller removed while its request ran (DELETE /v1/users/{id} committed between the request's
// look-up of its token and its write): the write meets a foreign key on the user, their session
// or their key, or the audit entry's check of its actor (migration 2026-12-08T04-00-00), and
// rolls back. api/error-handler.ts answers it 401, as the caller's next request would be.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { AuditEntry } from '../core/audit.js';
import { CallerGoneError } from '../core/domain-errors.js';

/** The foreign keys (and the audit trigger's name) that point at the caller of a request. */
const ACTOR_CONSTRAINTS = new Set([
  'audit_log_actor_live',
  'api_keys_user_id_fkey',
  'api_keys_created_by_user_id_fkey',
  'api_keys_created_by_session_id_fkey',
  'api_keys_created_by_key_id_fkey',
  'sessions_user_id_fkey',
  'password_resets_user_id_fkey',
]);

/** True for a foreign-key violation (23503) on the acting user, session or key. */
export function isActorGone(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23503' && typeof constraint === 'string' && ACTOR_CONSTRAINTS.has(constraint);
}

export const ACTOR_GONE_DETAIL = 'The account or key of this request was removed while it ran: nothing was stored.';

/**
 * Takes the lock the audit entry's check would (FOR KEY SHARE), at the start of a transaction
 * that writes a key or session the removal of a user also reaches (it deletes the user's own,
 * sets the maker of those they made to null): the user first (a key's owner too), then the key,
 * as the removal takes the user and then its keys. Locked only at the audit entry, after the
 * write, each held what the other wanted (a deadlock: 500). Gone: CallerGoneError (401).
 */
export async function lockActor(trx: Kysely<Database>, actor: Pick<AuditEntry, 'actorType' | 'actorId'>): Promise<void> {
  if ((actor.actorType !== 'user' && actor.actorType !== 'api_key') || actor.actorId === null) return;
  const id = sql`${actor.actorId}::uuid`;
  if (actor.actorType === 'api_key') await sql`SELECT 1 FROM users WHERE id = (SELECT user_id FROM api_keys WHERE id = ${id}) FOR KEY SHARE`.execute(trx);
  const { rows } = await sql`SELECT 1 FROM ${sql.table(actor.actorType === 'user' ? 'users' : 'api_keys')} WHERE id = ${id} FOR KEY SHARE`.execute(trx);
  if (rows.length === 0) throw new CallerGoneError(ACTOR_GONE_DETAIL);
}
