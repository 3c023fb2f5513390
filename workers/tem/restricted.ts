// Numbers under a privacy restriction (art. 18) in TEM: stored, never processed further. Their
// subscriptions are marked (by the privacy request's restrict step, and by a parse that meets a
// number privacy_restrictions holds the keyed hash of), and every report reading costs
// (cost report, anomalies, reconciliation) leaves their rows out.
import { sql } from 'kysely';
import type pg from 'pg';
import { normalizePhone } from '../phone/e164.js';
import { phoneHash } from '../sms/opt-outs.js';

/** The organisation's restricted numbers, as one array read once per query (an InitPlan); usually empty. */
export const restrictedNumbers = (organizationId: string) => sql`ARRAY(SELECT msisdn FROM tem_subscriptions WHERE organization_id = ${organizationId} AND restricted_at IS NOT NULL)`;

/**
 * After a parse stored subscriptions of these numbers: those whose keyed hash is restricted on
 * the platform are marked, so a number restricted before it first appeared stays out of reports.
 */
export async function markRestrictedSubscriptions(client: pg.Client, organizationId: string, msisdns: readonly string[], suppressionKey: string): Promise<number> {
  if (msisdns.length === 0) return 0;
  const any = await client.query('SELECT 1 FROM privacy_restrictions LIMIT 1');
  if (any.rowCount === 0) return 0;
  const byHash = new Map<string, string>();
  for (const msisdn of msisdns) {
    const phone = normalizePhone(msisdn);
    if (phone.ok) byHash.set(phoneHash(suppressionKey, phone.e164).toString('hex'), msisdn);
  }
  if (byHash.size === 0) return 0;
  const hits = await client.query<{ hash: string }>(`SELECT encode(identifier_hash, 'hex') AS hash FROM privacy_restrictions WHERE identifier_hash = ANY($1::bytea[])`, [[...byHash.keys()].map((h) => Buffer.from(h, 'hex'))]);
  const restricted = hits.rows.flatMap((r) => byHash.get(r.hash) ?? []);
  if (restricted.length === 0) return 0;
  const marked = await client.query('UPDATE tem_subscriptions SET restricted_at = now() WHERE organization_id = $1 AND msisdn = ANY($2::text[]) AND restricted_at IS NULL', [organizationId, restricted]);
  return marked.rowCount ?? 0;
}
