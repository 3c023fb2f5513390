// Newsletter rows for tests that start after a campaign went out: a list with subscribers and
// a campaign with one delivery row each, as the send path leaves them (status `sent`).
import type { Kysely } from 'kysely';
import type { Database, DeliveryStatus } from '../../db/schema.js';
import { suppressionHash } from '../../workers/newsletter/suppression.js';

export async function sentCampaign(
  db: Kysely<Database>,
  suppressionKey: string,
  organizationId: string,
  emails: readonly string[],
  status: DeliveryStatus = 'sent',
): Promise<{ listId: string; campaignId: string; deliveries: { id: number; email: string; subscriberId: string }[] }> {
  const list = await db.insertInto('newsletter_lists').values({ organization_id: organizationId, name: 'Nieuws' }).returning('id').executeTakeFirstOrThrow();
  return sentToList(db, suppressionKey, organizationId, list.id, emails, status);
}

/** Another campaign to the same list (subscribers made when missing). */
export async function sentToList(db: Kysely<Database>, suppressionKey: string, organizationId: string, listId: string, emails: readonly string[], status: DeliveryStatus = 'sent') {
  const campaign = await db
    .insertInto('newsletter_campaigns')
    .values({ organization_id: organizationId, list_id: listId, subject: 'Nieuws', html: '<p>Hallo</p>', status: 'completed', chunk_size: 500 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const deliveries = [];
  for (const [seq, email] of emails.entries()) {
    const subscriber = await db
      .insertInto('newsletter_subscribers')
      .values({ organization_id: organizationId, list_id: listId, email })
      .onConflict((oc) => oc.columns(['list_id', 'email']).doUpdateSet({ email }))
      .returning('id')
      .executeTakeFirstOrThrow();
    const delivery = await db
      .insertInto('newsletter_deliveries')
      .values({ campaign_id: campaign.id, organization_id: organizationId, seq, subscriber_id: subscriber.id, address_hash: suppressionHash(suppressionKey, email), status, sent_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    deliveries.push({ id: Number(delivery.id), email, subscriberId: subscriber.id });
  }
  return { listId, campaignId: campaign.id, deliveries };
}
