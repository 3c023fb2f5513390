// Every family's privacy section, in the order of workers/families.ts (the privacy family's
// own comes last: its tables hold the requests being worked on).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { FAMILIES } from '../families.js';
import type { Found, PrivacyReach, ReachResult, Subject } from './reach.js';

/** Read when a request runs, not when this module loads: workers/families.ts lists this family too. */
export function privacyReaches(): { readonly family: string; readonly reach: PrivacyReach }[] {
  return FAMILIES.flatMap((f: { readonly name: string; readonly privacy?: PrivacyReach }) => (f.privacy ? [{ family: f.name, reach: f.privacy }] : []));
}

export async function findEverywhere(db: Kysely<Database>, subject: Subject): Promise<Found> {
  const found: Found = {};
  for (const { reach } of privacyReaches()) Object.assign(found, await reach.find(db, subject));
  return found;
}

type Step = (reach: PrivacyReach) => ((trx: Parameters<PrivacyReach['erase']>[0]) => Promise<ReachResult>) | undefined;

/** One transaction per family, as the issue asks: a failure in one leaves the others done, and a rerun repeats only what is left. */
export async function eachFamily(db: Kysely<Database>, step: Step): Promise<ReachResult> {
  const total: { counts: ReachResult['counts']; kept: ReachResult['kept'][number][]; members: ReachResult['members'][number][] } = { counts: {}, kept: [], members: [] };
  for (const { reach } of privacyReaches()) {
    const run = step(reach);
    if (!run) continue;
    const result = await db.transaction().execute(run);
    for (const [category, count] of Object.entries(result.counts)) total.counts[category] = { ...total.counts[category], ...count };
    total.kept.push(...result.kept);
    total.members.push(...result.members);
  }
  return total;
}
