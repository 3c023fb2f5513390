// When a campaign starts: one delivery row per subscribed subscriber of its list whose address
// the organisation does not suppress and no privacy restriction holds (the list as it is now),
// numbered by seq, and the chunks that cover them. Runs in the start job's transaction.
import { sql, type Kysely } from 'kysely';
import type { Database, NewsletterCampaign } from '../../db/schema.js';
import { suppressionHash } from './suppression.js';

const PAGE = 5_000;

/** Writes the deliveries and chunks; returns how many deliveries. */
export async function snapshotCampaign(trx: Kysely<Database>, suppressionKey: string, campaign: NewsletterCampaign): Promise<number> {
  if (campaign.list_id === null) return 0;
  let after = '';
  let seq = 0;
  let written = 0;
  for (;;) {
    const page = await trx
      .selectFrom('newsletter_subscribers')
      .select(['id', 'email'])
      .where('list_id', '=', campaign.list_id)
      .where('status', '=', 'subscribed')
      .where('email', '>', after)
      .orderBy('email')
      .limit(PAGE)
      .execute();
    if (page.length === 0) break;
    after = page.at(-1)?.email ?? after;
    const seqs = page.map(() => seq++);
    const result = await sql`
      INSERT INTO newsletter_deliveries (campaign_id, organization_id, seq, subscriber_id, address_hash)
      SELECT ${campaign.id}, ${campaign.organization_id}, u.seq, u.subscriber_id, u.address_hash
      FROM unnest(${seqs}::int[], ${page.map((s) => s.id)}::uuid[], ${page.map((s) => suppressionHash(suppressionKey, s.email))}::bytea[]) AS u(seq, subscriber_id, address_hash)
      WHERE NOT EXISTS (SELECT 1 FROM newsletter_suppressions s WHERE s.organization_id = ${campaign.organization_id} AND s.address_hash = u.address_hash)
        AND NOT EXISTS (SELECT 1 FROM privacy_restrictions r WHERE r.identifier_hash = u.address_hash)`.execute(trx);
    written += Number(result.numAffectedRows ?? 0);
  }
  await sql`
    INSERT INTO newsletter_campaign_chunks (campaign_id, chunk)
    SELECT DISTINCT ${campaign.id}::uuid, seq / ${campaign.chunk_size} FROM newsletter_deliveries WHERE campaign_id = ${campaign.id}`.execute(trx);
  return written;
}
