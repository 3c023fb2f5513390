// The organisation's suppression list (P12): an unsubscribe, a hard bounce, a complaint, three
// soft bounces or a privacy objection put the address here, and no later import, sign-up or
// send reaches it. The list holds HMAC-SHA-256 under SUPPRESSION_KEY of the normalised address
// (address.ts), never the address, so an entry survives the subscriber's erasure.
import { sql, type Kysely } from 'kysely';
import type { Database, SuppressionReason } from '../../db/schema.js';
import { keyedHash } from '../core/keyed-hash.js';
import { normaliseAddress } from './address.js';

/** The keyed hash of an address as normaliseAddress keeps it (an unreadable one is hashed as given, trimmed and lower-cased). */
export function suppressionHash(suppressionKey: string, address: string): Buffer {
  const checked = normaliseAddress(address);
  const email = checked.ok ? checked.email : address.trim().toLowerCase();
  return keyedHash(suppressionKey, `email:${email}`);
}

const hashOf = (suppressionKey: string, address: string | Buffer) => (Buffer.isBuffer(address) ? address : suppressionHash(suppressionKey, address));

/**
 * Suppresses the address (or its hash) for the organisation and unsubscribes it from every
 * list of the organisation; the first reason recorded stays. Run it in the caller's transaction.
 * True when the address was not suppressed before.
 */
export async function suppress(trx: Kysely<Database>, suppressionKey: string, organizationId: string, address: string | Buffer, reason: SuppressionReason): Promise<boolean> {
  const hash = hashOf(suppressionKey, address);
  const added = await trx
    .insertInto('newsletter_suppressions')
    .values({ organization_id: organizationId, address_hash: hash, reason })
    .onConflict((oc) => oc.columns(['organization_id', 'address_hash']).doNothing())
    .returning('organization_id')
    .executeTakeFirst();
  if (typeof address === 'string') {
    const checked = normaliseAddress(address);
    if (checked.ok) await unsubscribeAddress(trx, organizationId, checked.email);
  }
  return added !== undefined;
}

/** Every subscription of the address in the organisation ends now (the purge deletes it 30 days later). */
export async function unsubscribeAddress(trx: Kysely<Database>, organizationId: string, email: string): Promise<void> {
  await trx
    .updateTable('newsletter_subscribers')
    .set({ status: 'unsubscribed', unsubscribed_at: sql`now()` })
    .where('organization_id', '=', organizationId)
    .where('email', '=', email)
    .where('status', '=', 'subscribed')
    .execute();
}

export async function isSuppressed(db: Kysely<Database>, suppressionKey: string, organizationId: string, address: string | Buffer): Promise<boolean> {
  const row = await db
    .selectFrom('newsletter_suppressions')
    .select('reason')
    .where('organization_id', '=', organizationId)
    .where('address_hash', '=', hashOf(suppressionKey, address))
    .executeTakeFirst();
  return row !== undefined;
}

/** The hashes among `hashes` that the organisation suppresses, as hex strings (one query for a batch). */
export async function suppressedAmong(db: Kysely<Database>, organizationId: string, hashes: readonly Buffer[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('newsletter_suppressions')
    .select('address_hash')
    .where('organization_id', '=', organizationId)
    .where('address_hash', '=', sql<Buffer>`any(${[...hashes]}::bytea[])`)
    .execute();
  return new Set(rows.map((r) => r.address_hash.toString('hex')));
}
