// A caller removed while its request ran (DELETE /v1/users/{id} committed between the request's
// look-up of its token and its write): the write meets a foreign key on the user, their session
// or their key, or the audit entry's check of its actor (migration 2026-12-08T04-00-00), and
// rolls back. api/error-handler.ts answers it 401, as the caller's next request would be.

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
