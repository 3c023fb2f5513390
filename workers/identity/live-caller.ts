// The caller of a request, checked again inside its writing transaction and held (FOR SHARE) to
// its commit: for writes that would outlive a revoke, as a key made by a leaked account would.
// A "compromised" (compromise.ts) or an end that revoked the session or key first is seen (the
// lock waits for its commit); one that comes second waits for this write and then revokes what
// it made too.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { CallerGoneError } from '../core/domain-errors.js';
import type { Principal } from './principal.js';

export async function lockLiveCaller(trx: Kysely<Database>, caller: Pick<Principal, 'kind' | 'id' | 'userId'>): Promise<void> {
  // The user first, then their session or key: the order "compromised" and a user's removal take
  // them in. The other order deadlocked with a "compromised" that had taken the user and came for
  // the session or key this held (test/identity-compromise-race.test.ts). A user's own key, and a
  // session, stop with its user's "compromised" (must_change_password) as well.
  const user =
    caller.userId === null || (await trx.selectFrom('users').select('id').where('id', '=', caller.userId).where('must_change_password', '=', false).forShare().executeTakeFirst()) !== undefined;
  const live =
    user &&
    (caller.kind === 'session'
      ? await trx
          .selectFrom('sessions')
          .select('id')
          .where('id', '=', caller.id)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', sql<Date>`now()`)
          .forShare()
          .executeTakeFirst()
      : await trx.selectFrom('api_keys').select('id').where('id', '=', caller.id).where('revoked_at', 'is', null).forShare().executeTakeFirst());
  if (!live) throw new CallerGoneError('The session or key of this request was revoked while it ran: nothing was stored.');
}
