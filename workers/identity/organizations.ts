import { sql, type Kysely } from 'kysely';
import { bulkTransaction, type Db } from '../../db/database.js';
import type { Database, Organization } from '../../db/schema.js';
import { audit, opsActor } from '../core/audit.js';
import { NotFoundError } from '../core/domain-errors.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { cancelOpenCampaigns } from '../newsletter/campaign-state.js';
import { cancelOpenBatches } from '../sms/cancel-batch.js';
import { createApiKey, type CreatedApiKey } from './api-keys.js';
import { SCOPES } from './scopes.js';
import { firstFreeSlug, slugOf } from './slugs.js';

/** Arbitrary, fixed: two organisations created at once with the same name get different slugs. */
const SLUG_LOCK = 72_616_003;

export async function freeSlug(trx: Kysely<Database>, name: string): Promise<string> {
  await sql`SELECT pg_advisory_xact_lock(${SLUG_LOCK})`.execute(trx);
  const slug = slugOf(name);
  const taken = await trx
    .selectFrom('organizations')
    .select('slug')
    .where((eb) => eb.or([eb('slug', '=', slug), eb('slug', 'like', `${slug}-%`)]))
    .execute();
  return firstFreeSlug(slug, new Set(taken.map((t) => t.slug)));
}

/**
 * An organisation and its first API key, with every scope, inside the caller's transaction.
 * createdByOps: the ops login that asks, or null for the platform itself (the demo).
 */
export async function insertOrganization(
  trx: Kysely<Database>,
  name: string,
  createdByOps: string | null,
): Promise<{ organization: Organization; apiKey: CreatedApiKey }> {
  const organization = await trx.insertInto('organizations').values({ name, slug: await freeSlug(trx, name) }).returningAll().executeTakeFirstOrThrow();
  const apiKey = await createApiKey(trx, {
    organizationId: organization.id,
    userId: null,
    name: 'first key',
    scopes: [...SCOPES],
    createdBy: createdByOps === null ? null : { kind: 'ops', login: createdByOps },
  });
  return { organization, apiKey };
}

/**
 * An ops login gives an existing organisation a new key with every scope (the house
 * organisation is made without one, see workers/newsletter/house.ts); audited in the
 * transaction. A NotFoundError for an unknown or ended organisation.
 */
export async function createOpsKey(db: Db, organizationId: string, createdByOps: string): Promise<CreatedApiKey> {
  return db.transaction().execute(async (trx) => {
    const organization = await trx.selectFrom('organizations').select('id').where('id', '=', organizationId).where('ended_at', 'is', null).executeTakeFirst();
    if (!organization) throw new NotFoundError('No such organisation.');
    const apiKey = await createApiKey(trx, { organizationId, userId: null, name: 'ops key', scopes: [...SCOPES], createdBy: { kind: 'ops', login: createdByOps } });
    await audit(trx, { ...opsActor(createdByOps), organizationId, action: 'api_key.created', entityType: 'api_key', entityId: apiKey.id });
    return apiKey;
  });
}

/** An ops login creates an organisation; the audit entry is stored in the same transaction. */
export async function createOrganization(db: Db, name: string, createdByOps: string): Promise<{ organization: Organization; apiKey: CreatedApiKey }> {
  return db.transaction().execute(async (trx) => {
    const created = await insertOrganization(trx, name, createdByOps);
    const id = created.organization.id;
    await audit(trx, { ...opsActor(createdByOps), organizationId: id, action: 'organization.created', entityType: 'organization', entityId: id });
    return created;
  });
}

/**
 * Ends the relationship: its keys and sessions stop at once, and every SMS batch and campaign of
 * it still open is cancelled (nothing more goes out on its behalf, and nobody there could cancel
 * it any more); contacts and users go after the grace period. One transaction, with the ops
 * login's audit entry; NotFoundError when there is no such organisation. The callback jobs to
 * enqueue after the commit.
 */
export async function endOrganization(db: Db, id: string, endedByOps: string): Promise<{ organization: Organization; jobs: JobRequest[] }> {
  return bulkTransaction(db, async (trx) => {
    const organization = await trx
      .updateTable('organizations')
      .set({ ended_at: sql`coalesce(ended_at, now())` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!organization) throw new NotFoundError('No such organisation.');
    await trx.updateTable('api_keys').set({ revoked_at: sql`now()` }).where('organization_id', '=', id).where('revoked_at', 'is', null).execute();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` })
      .where('revoked_at', 'is', null)
      .where('user_id', 'in', (q) => q.selectFrom('users').select('id').where('organization_id', '=', id))
      .execute();
    const actor = { ...opsActor(endedByOps), organizationId: id };
    const jobs = await cancelOpenBatches(trx, id, actor);
    await cancelOpenCampaigns(trx, id, actor);
    await audit(trx, { ...actor, action: 'organization.ended', entityType: 'organization', entityId: id });
    return { organization, jobs };
  });
}

export async function listOrganizations(db: Kysely<Database>): Promise<Organization[]> {
  return db.selectFrom('organizations').selectAll().orderBy('created_at').execute();
}
