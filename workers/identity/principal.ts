// Who is calling: an API key or a session token resolved to its organisation and scopes.
import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../../db/compiled-once.js';
import type { AuditEntry } from '../core/audit.js';
import type { Database, Scope } from '../../db/schema.js';
import { scopesOfRole } from './scopes.js';
import { hashToken, tokenKind, type TokenKind } from './tokens.js';

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
  return (await resolvePrincipals(db, [token]))[0];
}

/** resolvePrincipal for many tokens (concurrent requests' own), one query per kind present; answers in their order. */
export async function resolvePrincipals(db: Kysely<Database>, tokens: readonly string[]): Promise<(Principal | undefined)[]> {
  const hashes = tokens.map((token) => ({ kind: tokenKind(token), hash: hashToken(token).toString('hex') }));
  const wanted = (kind: TokenKind) => [...new Set(hashes.filter((h) => h.kind === kind).map((h) => h.hash))].map((hex) => Buffer.from(hex, 'hex'));
  const [keys, sessions] = await Promise.all([keyPrincipals(db, wanted('key')), sessionPrincipals(db, wanted('session'))]);
  return hashes.map(({ kind, hash }) => (kind === 'key' ? keys.get(hash) : kind === 'session' ? sessions.get(hash) : undefined));
}

/** The key lookup as the query builder writes it; built once (keyPrincipals), its values sent anew with each call. */
const keyLookup = (db: Kysely<Database>, hashes: readonly Buffer[]) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('organizations as o', 'o.id', 'k.organization_id')
    .leftJoin('users as u', 'u.id', 'k.user_id')
    .select(['k.id', 'k.secret_hash', 'k.organization_id', 'k.user_id', 'k.scopes', 'k.last_used_at', 'u.must_change_password'])
    .where('k.secret_hash', '=', sql<Buffer>`any(${hashes}::bytea[])`)
    .where('k.revoked_at', 'is', null)
    .where('o.ended_at', 'is', null);

/** The session lookup likewise: its values are the hashes and the time it is valid at. */
const sessionLookup = (db: Kysely<Database>, hashes: readonly Buffer[], at: Date) =>
  db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('organizations as o', 'o.id', 'u.organization_id')
    .select(['s.id', 's.token_hash', 'u.id as user_id', 'u.organization_id', 'u.role'])
    .where('s.token_hash', '=', sql<Buffer>`any(${hashes}::bytea[])`)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', at)
    .where('u.must_change_password', '=', false)
    .where('o.ended_at', 'is', null);

/** Every bearer request runs one of these: compiled once (db/compiled-once.ts), prepared once per connection, the values sent anew with each call. */
const keyStatement = compiledOnce((db, v: { hashes: readonly Buffer[] }) => keyLookup(db, v.hashes), { prepared: true });
const sessionStatement = compiledOnce((db, v: { hashes: readonly Buffer[]; at: Date }) => sessionLookup(db, v.hashes, v.at), { prepared: true });

async function keyPrincipals(db: Kysely<Database>, hashes: Buffer[]): Promise<Map<string, Principal>> {
  if (hashes.length === 0) return new Map();
  const { rows } = await db.executeQuery(keyStatement(db, { hashes }));
  return new Map(
    rows
      .filter((row) => row.must_change_password !== true)
      .map((row) => [row.secret_hash.toString('hex'), { kind: 'api_key', id: row.id, organizationId: row.organization_id, userId: row.user_id, scopes: row.scopes, lastUsedAt: row.last_used_at }]),
  );
}

async function sessionPrincipals(db: Kysely<Database>, hashes: Buffer[]): Promise<Map<string, Principal>> {
  if (hashes.length === 0) return new Map();
  const { rows } = await db.executeQuery(sessionStatement(db, { hashes, at: new Date() }));
  return new Map(rows.map((row) => [row.token_hash.toString('hex'), { kind: 'session', id: row.id, organizationId: row.organization_id, userId: row.user_id, scopes: scopesOfRole(row.role), lastUsedAt: null }]));
}

/** How a principal appears in the audit log: a session acts as its user, a key as itself, within its organisation. */
export function auditActor(principal: Principal): Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'> {
  const organizationId = principal.organizationId;
  return principal.kind === 'session' && principal.userId !== null
    ? { actorType: 'user', actorId: principal.userId, organizationId }
    : { actorType: 'api_key', actorId: principal.id, organizationId };
}
