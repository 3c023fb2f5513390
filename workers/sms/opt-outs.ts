// Opt-outs (suppression list) per organisation: a keyed hash of the E.164 number under
// SUPPRESSION_KEY plus a masked form, so an erasure can remove the person while messages
// still never reach them again.
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export function phoneHash(suppressionKey: string, e164: string): Buffer {
  return createHmac('sha256', suppressionKey).update(`phone:${e164}`).digest();
}

/** +31612344321 → +31 6 ****4321 */
export function maskPhone(e164: string, countryCallingCode: string): string {
  const national = e164.slice(1 + countryCallingCode.length);
  return `+${countryCallingCode} ${national.slice(0, 1)} ****${national.slice(-4)}`;
}

export async function addOptOut(db: Kysely<Database>, organizationId: string, hash: Buffer, masked: string, source: 'api' | 'reply'): Promise<void> {
  await db
    .insertInto('sms_opt_outs')
    .values({ organization_id: organizationId, phone_hash: hash, masked, source })
    .onConflict((oc) => oc.columns(['organization_id', 'phone_hash']).doNothing())
    .execute();
}

/**
 * A member removes only what the member added: an opt-out the person made by replying STOP
 * (source 'reply') stays, whoever asks. 'reply' when that is what stopped it, 'missing' when
 * the number is not on the list.
 */
export async function removeOptOut(db: Kysely<Database>, organizationId: string, hash: Buffer): Promise<{ removed: 'api' } | { removed: false; reason: 'reply' | 'missing' }> {
  const removed = await db
    .deleteFrom('sms_opt_outs')
    .where('organization_id', '=', organizationId)
    .where('phone_hash', '=', hash)
    .where('source', '<>', 'reply')
    .returning('source')
    .executeTakeFirst();
  if (removed) return { removed: 'api' };
  const left = await db.selectFrom('sms_opt_outs').select('source').where('organization_id', '=', organizationId).where('phone_hash', '=', hash).executeTakeFirst();
  return { removed: false, reason: left ? 'reply' : 'missing' };
}

export async function listOptOuts(db: Kysely<Database>, organizationId: string) {
  return db.selectFrom('sms_opt_outs').select(['masked', 'source', 'created_at']).where('organization_id', '=', organizationId).orderBy('created_at', 'desc').limit(1000).execute();
}

/** The hashes among `hashes` that are opted out for this organisation. */
export async function optedOut(db: Kysely<Database>, organizationId: string, hashes: readonly Buffer[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('sms_opt_outs')
    .select('phone_hash')
    .where('organization_id', '=', organizationId)
    .where('phone_hash', '=', sql<Buffer>`ANY(${hashes})`)
    .execute();
  return new Set(rows.map((r) => r.phone_hash.toString('hex')));
}
