// Who is calling: an API key or a session token resolved to its organisation and scopes.
import type { Kysely } from 'kysely';
import type { AuditEntry } from '../core/audit.js';
import type { Database, Scope } from '../../db/schema.js';
import { scopesOfRole } from './scopes.js';
import { hashToken, tokenKind } from './tokens.js';

export interface Principal {
  readonly kind: 'api_key' | 'session';
  /** The key's or the session's id. */
  readonly id: string;
  readonly organizationId: string;
  readonly userId: string | null;
  readonly scopes: readonly Scope[];
  readonly lastUsedAt: Date | null;
}

/** undefined for an unknown, revoked or expired token, a compromised user, or an ended organisation. */
export async function resolvePrincipal(db: Kysely<Database>, token: string): Promise<Principal | undefined> {
  const kind = tokenKind(token);
  if (kind === 'key') {
    const row = await db
      .selectFrom('api_keys as k')
      .innerJoin('organizations as o', 'o.id', 'k.organization_id')
      .leftJoin('users as u', 'u.id', 'k.user_id')
      .select(['k.id', 'k.organization_id', 'k.user_id', 'k.scopes', 'k.last_used_at', 'u.must_change_password'])
      .where('k.secret_hash', '=', hashToken(token))
      .where('k.revoked_at', 'is', null)
      .where('o.ended_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.must_change_password === true) return undefined;
    return { kind: 'api_key', id: row.id, organizationId: row.organization_id, userId: row.user_id, scopes: row.scopes, lastUsedAt: row.last_used_at };
  }
  if (kind === 'session') {
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('organizations as o', 'o.id', 'u.organization_id')
      .select(['s.id', 'u.id as user_id', 'u.organization_id', 'u.role'])
      .where('s.token_hash', '=', hashToken(token))
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', new Date())
      .where('u.must_change_password', '=', false)
      .where('o.ended_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return { kind: 'session', id: row.id, organizationId: row.organization_id, userId: row.user_id, scopes: scopesOfRole(row.role), lastUsedAt: null };
  }
  return undefined;
}

/** How a principal appears in the audit log: a session acts as its user, a key as itself, within its organisation. */
export function auditActor(principal: Principal): Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'> {
  const organizationId = principal.organizationId;
  return principal.kind === 'session' && principal.userId !== null
    ? { actorType: 'user', actorId: principal.userId, organizationId }
    : { actorType: 'api_key', actorId: principal.id, organizationId };
}
