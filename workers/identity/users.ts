import { sql, type Kysely } from 'kysely';
import type { Database, User, UserRole } from '../../db/schema.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { ConflictError } from '../core/domain-errors.js';
import { lockActor } from './actor-gone.js';
import { keysReachedBy } from './compromise.js';
import { hashPassword } from './passwords.js';
import type { Language } from '../../db/schema/columns.js';

export type PublicUser = Pick<User, 'id' | 'organization_id' | 'username' | 'email' | 'role' | 'must_change_password' | 'compromised_at' | 'created_at' | 'language'> & {
  /** The organisation's slug: the user logs in with it and the username. */
  readonly organization_slug: string;
};
const PUBLIC_COLUMNS = ['u.id', 'u.organization_id', 'u.username', 'u.email', 'u.role', 'u.must_change_password', 'u.compromised_at', 'u.created_at', 'u.language', 'o.slug as organization_slug'] as const;

const usersOf = (db: Kysely<Database>, organizationId: string) =>
  db.selectFrom('users as u').innerJoin('organizations as o', 'o.id', 'u.organization_id').select(PUBLIC_COLUMNS).where('u.organization_id', '=', organizationId);

export async function createUser(
  db: Kysely<Database>,
  input: { organizationId: string; username: string; email: string; password: string; role: UserRole; language?: Language | undefined },
  actor: Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>,
): Promise<PublicUser> {
  const password_hash = await hashPassword(input.password);
  try {
    return await db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('users')
        .values({ organization_id: input.organizationId, username: input.username, email: input.email, password_hash, role: input.role, ...(input.language && { language: input.language }) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, { ...actor, action: 'user.created', entityType: 'user', entityId: id });
      return usersOf(trx, input.organizationId).where('u.id', '=', id).executeTakeFirstOrThrow();
    });
  } catch (error) {
    if ((error as { code?: string; constraint?: string }).constraint === 'users_org_username_key') throw new ConflictError('This username is taken in your organisation.', 'body.username');
    throw error;
  }
}

export async function findUser(db: Kysely<Database>, organizationId: string, id: string): Promise<PublicUser | undefined> {
  return usersOf(db, organizationId).where('u.id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Kysely<Database>, organizationId: string): Promise<PublicUser[]> {
  return usersOf(db, organizationId).orderBy('u.created_at').execute();
}

export interface LoginName {
  /** The organisation's slug. */
  readonly organization: string;
  readonly username: string;
}

/** One login name (organisation and username, case-insensitive) as one string, for the login throttle. */
export const loginNameKey = (name: LoginName): string => JSON.stringify([name.organization.toLowerCase(), name.username.toLowerCase()]);

/** For login: the user by organisation slug and username (both case-insensitive) with its hash, if the organisation is live. */
export async function findLogin(db: Kysely<Database>, name: LoginName) {
  return db
    .selectFrom('users as u')
    .innerJoin('organizations as o', 'o.id', 'u.organization_id')
    .select(['u.id', 'u.password_hash', 'u.must_change_password'])
    .where('o.slug', '=', name.organization.toLowerCase())
    .where(sql`lower(u.username)`, '=', name.username.toLowerCase())
    .where('o.ended_at', 'is', null)
    .executeTakeFirst();
}

export interface RemovedUser {
  readonly sessionsEnded: number;
  /** The user's own keys: deleted with the user. */
  readonly keysDeleted: { id: string; prefix: string }[];
  /** Live keys the user made for the organisation, and those these made in turn: kept (the member's systems may use them), named so an admin can revoke them. */
  readonly keysMadeForOrganization: { id: string; prefix: string }[];
}

/**
 * Removes a user who left (P9): the account, its sessions, reset links and own keys go in one
 * transaction, so no token of theirs works after the commit and no reset link brings them back.
 * `allowed` sees the user's role first (nobody removes more than they hold). Organisation keys
 * the user made, and those these made in turn, stay, named in the answer; the audit entry holds ids only.
 */
export async function removeUser(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
  actor: Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>,
  allowed: (role: UserRole) => void,
): Promise<RemovedUser | undefined> {
  return db.transaction().execute(async (trx) => {
    // The two users' rows in the order of their ids: the acting user's (its audit entry's check,
    // lockActor) and this one. Two admins removing each other took the other's row, then their
    // own, each waiting on the other (a deadlock: 500); now the second waits, then finds itself gone (401).
    if (actor.actorType === 'user' && actor.actorId !== null && actor.actorId < id) await lockActor(trx, actor);
    const user = await trx.selectFrom('users').select(['id', 'role']).where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!user) return undefined;
    allowed(user.role);
    const sessions = await trx.selectFrom('sessions').select(sql<number>`count(*)::int`.as('n')).where('user_id', '=', id).where('revoked_at', 'is', null).where('expires_at', '>', sql<Date>`now()`).executeTakeFirstOrThrow();
    // As "compromised" reaches them: also the keys those keys made in turn (a key the user made
    // for the organisation made another: both are in the leaver's hands). Before the delete, which
    // sets their created_by columns to null.
    const { rows: keys } = await sql<{ id: string; prefix: string; user_id: string | null }>`
      ${keysReachedBy({ id, organization_id: organizationId })}
      SELECT id, prefix, user_id FROM api_keys
      WHERE id IN (SELECT id FROM reached) AND (user_id = ${id} OR revoked_at IS NULL)
      ORDER BY prefix`.execute(trx);
    const keysDeleted = keys.filter((k) => k.user_id === id).map(({ id: keyId, prefix }) => ({ id: keyId, prefix }));
    const keysMadeForOrganization = keys.filter((k) => k.user_id !== id).map(({ id: keyId, prefix }) => ({ id: keyId, prefix }));
    // Audited before the delete: a user who removes themselves (by a session or their own key)
    // is still there as the entry checks its actor (migration 2026-12-08T04-00-00).
    await audit(trx, {
      ...actor,
      action: 'user.removed',
      entityType: 'user',
      entityId: id,
      details: { sessionsEnded: sessions.n, keysDeleted: keysDeleted.map((k) => k.id).join(','), keysMadeForOrganization: keysMadeForOrganization.map((k) => k.id).join(',') },
    });
    await trx.deleteFrom('users').where('id', '=', id).execute();
    return { sessionsEnded: sessions.n, keysDeleted, keysMadeForOrganization };
  });
}
