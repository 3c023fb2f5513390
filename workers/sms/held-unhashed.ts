// The fallback of the send path's hold-back (store.ts claimWindow looks up the hashes stored at
// the intake): a claimed message with no stored hash of its number or address (stored before the
// hashes were, or at an intake that had nothing to check and so hashed nothing) is hashed here
// and looked up as the claim would have, only when there is something it could be held by.
import type { Kysely } from 'kysely';
import type { Database, SmsBatch } from '../../db/schema.js';
import { suppressedAmong, suppressionHash } from '../newsletter/suppression.js';
import { optedOut, phoneHash, restrictedInWindow } from './opt-outs.js';
import type { ClaimedMessage, WindowChecks } from './store.js';

/** The ids among `unhashed` (messages the claim could not look up) that an opt-out, a restriction or, a marketing e-mail, a suppression holds back. */
export async function heldUnhashed(db: Kysely<Database>, key: string, batch: Pick<SmsBatch, 'organization_id' | 'purpose'>, unhashed: readonly ClaimedMessage[], checks: WindowChecks): Promise<Set<number>> {
  const mails = batch.purpose === 'marketing' ? unhashed.filter((m) => m.channel === 'email') : [];
  if (mails.length === 0 && !checks.restrictions && !checks.optOuts) return new Set();
  const mailHashes = mails.map((m) => suppressionHash(key, m.email ?? ''));
  // Hash i is of message owners[i]: numbers first (the opt-out lookup's), then addresses.
  const owners: number[] = [];
  const phones: Buffer[] = [];
  const emails: Buffer[] = [];
  const emailOwners: number[] = [];
  if (checks.restrictions || checks.optOuts) {
    for (const m of unhashed) {
      if (m.phone !== null) {
        owners.push(m.id);
        phones.push(phoneHash(key, m.phone));
      }
      if (m.email !== null && checks.restrictions) {
        emailOwners.push(m.id);
        emails.push(suppressionHash(key, m.email));
      }
    }
  }
  const [suppressed, numbers, addresses] = await Promise.all([
    suppressedAmong(db, batch.organization_id, mailHashes),
    // optedOut also answers the restricted numbers; without opt-outs the numbers go with the addresses.
    checks.optOuts ? optedOut(db, batch.organization_id, phones) : restrictedInWindow(db, checks.restrictions ? phones : []),
    restrictedInWindow(db, emails),
  ]);
  const held = new Set<number>();
  for (const [i, m] of mails.entries()) if (suppressed.has(mailHashes[i]?.toString('hex') ?? '')) held.add(m.id);
  for (const [i, id] of owners.entries()) if (numbers.has(phones[i]?.toString('hex') ?? '')) held.add(id);
  for (const [i, id] of emailOwners.entries()) if (addresses.has(emails[i]?.toString('hex') ?? '')) held.add(id);
  return held;
}
