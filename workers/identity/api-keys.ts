import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import type { ApiKey, Database, Scope } from '../../db/schema.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { NotFoundError } from '../core/domain-errors.js';
import type { Principal } from './principal.js';
import { lockLiveCaller } from './live-caller.js';
import { lockActor } from './actor-gone.js';
import { newToken } from './tokens.js';

export interface CreatedApiKey {
  readonly id: string;
  readonly prefix: string;
  /** The whole key: returned once, never stored. */
  readonly key: string;
  readonly scopes: Scope[];
}

/** Who makes a key: a caller (a session or a key, with its user if any), an ops login, or the platform itself (null). */
export type KeyCreator = Pick<Principal, 'kind' | 'id' | 'userId'> | { readonly kind: 'ops'; readonly login: string } | null;

function creatorColumns(by: KeyCreator) {
  if (by === null) return {};
  if (by.kind === 'ops') return { created_by_ops: by.login };
  return { created_by_user_id: by.userId, created_by_session_id: by.kind === 'session' ? by.id : null, created_by_key_id: by.kind === 'api_key' ? by.id : null };
}

export async function createApiKey(
  db: Kysely<Database>,
  input: { organizationId: string; userId: string | null; name: string; scopes: Scope[]; createdBy: KeyCreator },
): Promise<CreatedApiKey> {
  const token = newToken('key');
  const row = await db
    .insertInto('api_keys')
    .values({
      organization_id: input.organizationId,
      user_id: input.userId,
      name: input.name,
      prefix: token.prefix,
      secret_hash: token.hash,
      scopes: input.scopes,
      ...creatorColumns(input.createdBy),
    })
    .returning(['id', 'prefix', 'scopes'])
    .executeTakeFirstOrThrow();
  return { id: row.id, prefix: row.prefix, key: token.token, scopes: row.scopes };
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;

/**
 * createApiKey with its audit entry, stored in the same transaction, made by a caller still live
 * (live-caller.ts): a key made by a leaked account as it is marked compromised is refused, or
 * made first and revoked with the rest.
 */
export async function createAuditedApiKey(db: Db, input: Parameters<typeof createApiKey>[1] & { createdBy: Pick<Principal, 'kind' | 'id' | 'userId'> }, actor: Actor): Promise<CreatedApiKey> {
  return db.transaction().execute(async (trx) => {
    await lockLiveCaller(trx, input.createdBy);
    const key = await createApiKey(trx, input);
    await audit(trx, { ...actor, action: 'api_key.created', entityType: 'api_key', entityId: key.id });
    return key;
  });
}

export type ApiKeySummary = Omit<ApiKey, 'secret_hash' | 'created_by_session_id' | 'created_by_ops'>;

export async function listApiKeys(db: Kysely<Database>, organizationId: string): Promise<ApiKeySummary[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'organization_id', 'user_id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at', 'created_by_user_id', 'created_by_key_id'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .execute();
}

/** Revokes a live key of this organisation and audits it in the same transaction; NotFoundError when there is none. */
export async function revokeApiKey(db: Db, organizationId: string, id: string, actor: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockActor(trx, actor);
    const result = await trx
      .updateTable('api_keys')
      .set({ revoked_at: sql`now()` })
      .where('id', '=', id)
      .where('organization_id', '=', organizationId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new NotFoundError('No such API key.');
    await audit(trx, { ...actor, action: 'api_key.revoked', entityType: 'api_key', entityId: id });
  });
}

/** last_used_at is written at most once a minute per key. */
export async function touchApiKey(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}
