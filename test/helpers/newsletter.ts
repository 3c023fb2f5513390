// Newsletter test helpers: a DKIM key with the DNS answer that publishes it, a list filled
// through the import API, waiting for a campaign to reach a state, and campaign rows as the
// send path leaves them.
import { generateKeyPairSync } from 'node:crypto';
import { waitFor } from './context.js';
import type { Call } from './http.js';
import type { Kysely } from 'kysely';
import type { Database, DeliveryStatus } from '../../db/schema.js';
import { suppressionHash } from '../../workers/newsletter/suppression.js';

export function dkimKey(domain: string, selector: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    env: { DKIM_DOMAIN: domain, DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    /** A resolver for mailauth that knows only this key's TXT record. */
    resolver: (name: string, type: string) =>
      name === `${selector}._domainkey.${domain}` && type === 'TXT' ? Promise.resolve([[`v=DKIM1; k=rsa; p=${p}`]]) : Promise.reject(Object.assign(new Error('NXDOMAIN'), { code: 'ENOTFOUND' })),
  };
}

export interface CampaignBody {
  id: string;
  status: string;
  pausedReason: string | null;
  recipients: number;
  counts: Record<string, number>;
}

export async function filledList(call: Call, auth: string, subscribers: readonly { email: string; name?: string; attributes?: Record<string, string> }[]): Promise<string> {
  const list = await call<{ id: string }>('post', '/v1/lists', { auth, body: { name: 'Nieuwsbrief' } });
  const imported = await call<{ added: number }>('post', `/v1/lists/${list.body.id}/subscribers`, { auth, body: { subscribers, basis: 'consent' } });
  if (imported.status !== 200) throw new Error(`import failed: ${imported.status}`);
  return list.body.id;
}

export async function campaignWhen(call: Call, auth: string, id: string, done: (c: CampaignBody) => boolean, timeoutMs = 60_000): Promise<CampaignBody> {
  return waitFor(async () => {
    const answer = await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth });
    return done(answer.body) ? answer.body : undefined;
  }, `campaign ${id} to reach the state`, timeoutMs);
}

/** A list with subscribers and a campaign with one delivery row each, as the send path leaves them (status `sent`), for tests that start after a campaign went out. */
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
