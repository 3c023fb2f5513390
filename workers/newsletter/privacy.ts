// The newsletter family's part of privacy requests: subscribers (and the consents they gave),
// sign-ups waiting for confirmation, the campaign deliveries made to them and the suppressions
// of their address. Deliveries are found by the person's subscriber rows, and by the address's
// keyed hash once the subscriber is gone; an erasure anonymises them (the member's campaign
// counts stay true). A suppression is a keyed hash and stays (P12): the answer says so. An
// objection unsubscribes the address from every list and suppresses it in every organisation
// that has it (art. 21).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import { item, membersOf, NOTHING, type Found, type PrivacyReach, type Subject } from '../privacy/reach.js';
import { suppress, suppressionHash } from './suppression.js';

const SUPPRESSIONS_KEPT = 'a keyed hash of the address (never the address) stays on the suppression list, so that no organisation mails it again (P12)';

/** The person's deliveries: by their subscriber rows, or by address hash once the subscriber row is gone (a partial index serves that side). */
function deliveryWhere(s: Subject, subscriberIds: readonly string[], alias = 'newsletter_deliveries'): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const bySubscriber = subscriberIds.length > 0 ? sql`${column('subscriber_id')} = ANY(${[...subscriberIds]}::uuid[])` : sql`false`;
  return sql<boolean>`(${bySubscriber} OR (${column('subscriber_id')} IS NULL AND ${column('address_hash')} = ANY(${[...s.hashes]}::bytea[])))`;
}

/** The suppressions of the person's address in any organisation (per organisation, so the primary key serves). */
const suppressionWhere = (s: Subject) => sql<boolean>`organization_id IN (SELECT id FROM organizations) AND address_hash = ANY(${[...s.hashes]}::bytea[])`;

async function subscriberIdsOf(db: Kysely<Database>, s: Subject): Promise<{ id: string; organization_id: string }[]> {
  return s.emails.length === 0 ? [] : db.selectFrom('newsletter_subscribers').select(['id', 'organization_id']).where('email', 'in', s.emails).execute();
}

export const newsletterPrivacy: PrivacyReach = {
  tables: ['newsletter_subscribers', 'newsletter_consents', 'newsletter_signups', 'newsletter_deliveries', 'newsletter_suppressions'],
  identifiers: [{ table: 'newsletter_subscribers', column: 'email', kind: 'email' }, { table: 'newsletter_signups', column: 'email', kind: 'email' }],
  async find(db, s): Promise<Found> {
    if (s.emails.length === 0) return {};
    // Stored in lower case (normaliseAddress), so the plain index on email serves.
    const subscribers = await db.selectFrom('newsletter_subscribers').select(['id', 'organization_id', 'list_id', 'email', 'name', 'attributes', 'status', 'created_at', 'unsubscribed_at']).where('email', 'in', s.emails).execute();
    const consents =
      subscribers.length === 0 ? [] : await db.selectFrom('newsletter_consents').select(['id', 'organization_id', 'subscriber_id', 'list_id', 'given_at', 'method', 'privacy_statement', 'ip_truncated', 'legal_basis']).where('subscriber_id', 'in', subscribers.map((r) => r.id)).execute();
    const signups = await db.selectFrom('newsletter_signups').select(['id', 'organization_id', 'list_id', 'email', 'name', 'created_at']).where('email', 'in', s.emails).execute();
    const deliveries = await db
      .selectFrom('newsletter_deliveries as d')
      .innerJoin('newsletter_campaigns as c', 'c.id', 'd.campaign_id')
      .select(['d.id', 'd.organization_id', 'd.campaign_id', 'c.subject', 'd.status', 'd.sent_at', 'd.updated_at'])
      .where(deliveryWhere(s, subscribers.map((r) => r.id), 'd'))
      .orderBy('d.id')
      .execute();
    const suppressions = await db.selectFrom('newsletter_suppressions').select(['organization_id', 'reason', 'created_at']).where(suppressionWhere(s)).execute();
    return {
      'newsletter.subscribers': subscribers.map(({ id, organization_id, ...sub }) => item('newsletter_subscribers', { id, organization_id }, sub)),
      'newsletter.consents': consents.map(({ id, organization_id, ...consent }) => item('newsletter_consents', { id, organization_id }, consent)),
      'newsletter.signups': signups.map(({ id, organization_id, ...signup }) => item('newsletter_signups', { id, organization_id }, signup)),
      // Which campaign, when and what became of it: nothing of the other recipients.
      'newsletter.deliveries': deliveries.map((d) => item('newsletter_deliveries', d, { campaignId: d.campaign_id, campaignSubject: d.subject, status: d.status, sentAt: d.sent_at, lastChange: d.updated_at })),
      'newsletter.suppressions': suppressions.map((x) => item('newsletter_suppressions', { id: x.organization_id, organization_id: x.organization_id }, { suppressed: true, reason: x.reason, since: x.created_at })),
    };
  },
  async erase(trx, s) {
    if (s.emails.length === 0) return NOTHING;
    const subscribers = await subscriberIdsOf(trx, s);
    const ids = subscribers.map((r) => r.id);
    // Before the subscribers go (that nulls subscriber_id): the row keeps its campaign and state, loses who it was.
    const deliveries = await trx
      .updateTable('newsletter_deliveries')
      .set({
        subscriber_id: null,
        address_hash: sql<Buffer>`sha256(gen_random_uuid()::text::bytea)`,
        error_code: sql<string>`CASE WHEN status = 'queued' THEN 'erased' ELSE error_code END`,
        status: sql`CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END`,
      })
      .where(deliveryWhere(s, ids))
      .returning(['id', 'organization_id'])
      .execute();
    const suppressions = await trx.selectFrom('newsletter_suppressions').select('organization_id').where(suppressionWhere(s)).execute();
    const consents = ids.length === 0 ? [] : await trx.deleteFrom('newsletter_consents').where('subscriber_id', 'in', ids).returning('id').execute();
    if (ids.length > 0) await trx.deleteFrom('newsletter_subscribers').where('id', 'in', ids).execute();
    // Stored in lower case, as find reads them: the plain index on email serves (lower(email) would read every sign-up).
    const signups = await trx.deleteFrom('newsletter_signups').where('email', 'in', s.emails).returning('id').execute();
    return {
      counts: {
        'newsletter.subscribers': { erased: subscribers.length },
        'newsletter.consents': { erased: consents.length },
        'newsletter.signups': { erased: signups.length },
        'newsletter.deliveries': { erased: deliveries.length },
        'newsletter.suppressions': { kept: suppressions.length },
      },
      kept: suppressions.length > 0 ? [{ category: 'newsletter.suppressions', reason: SUPPRESSIONS_KEPT }] : [],
      members: [...membersOf('newsletter.subscribers', subscribers), ...membersOf('newsletter.deliveries', deliveries)],
    };
  },
  async restrict(trx, s) {
    if (s.emails.length === 0) return NOTHING;
    const signups = await trx.deleteFrom('newsletter_signups').where('email', 'in', s.emails).returning('id').execute();
    // Queued campaign mail is held here; later snapshots and claims check privacy_restrictions.
    const held = await trx
      .updateTable('newsletter_deliveries')
      .set({ status: 'cancelled', error_code: 'restricted', updated_at: sql`now()` })
      .where('status', '=', 'queued')
      .where(deliveryWhere(s, (await subscriberIdsOf(trx, s)).map((r) => r.id)))
      .returning(['id', 'organization_id'])
      .execute();
    return { ...NOTHING, counts: { 'newsletter.signups': { restricted: signups.length }, 'newsletter.deliveries': { restricted: held.length } }, members: membersOf('newsletter.deliveries', held) };
  },
  async rectify(trx, s, change) {
    if (!change.name || s.emails.length === 0) return NOTHING;
    const subscribers = await trx.updateTable('newsletter_subscribers').set({ name: change.name }).where('email', 'in', s.emails).returning(['id', 'organization_id']).execute();
    return { ...NOTHING, counts: { 'newsletter.subscribers': { rectified: subscribers.length } }, members: membersOf('newsletter.subscribers', subscribers) };
  },
};

/** An objection: every subscription of the address ends now. */
export async function unsubscribeEverywhere(trx: Parameters<NonNullable<PrivacyReach['restrict']>>[0], emails: readonly string[]): Promise<number> {
  if (emails.length === 0) return 0;
  const rows = await trx.updateTable('newsletter_subscribers').set({ status: 'unsubscribed', unsubscribed_at: sql`now()` }).where('email', 'in', [...emails]).where('status', '=', 'subscribed').returning('id').execute();
  return rows.length;
}

/**
 * An objection: the address is suppressed (reason 'objection') in every organisation that has it
 * (as a subscriber, a sign-up, a delivery whose subscriber is gone, or the recipient of an SMS
 * sent by e-mail: a marketing batch's e-mails keep to the suppression list too, send-chunk.ts),
 * which also unsubscribes it there. Returns how many organisations.
 */
export async function suppressEverywhere(trx: Kysely<Database>, suppressionKey: string, emails: readonly string[]): Promise<number> {
  if (emails.length === 0) return 0;
  const hashes = emails.map((e) => suppressionHash(suppressionKey, e));
  const orgs = await trx
    .selectFrom('newsletter_subscribers')
    .select('organization_id')
    .where('email', 'in', [...emails])
    .union(trx.selectFrom('newsletter_signups').select('organization_id').where('email', 'in', [...emails]))
    .union(trx.selectFrom('newsletter_deliveries').select('organization_id').where('subscriber_id', 'is', null).where('address_hash', '=', sql<Buffer>`ANY(${hashes}::bytea[])`))
    .union(trx.selectFrom('sms_messages').select('organization_id').where(sql`lower(email)`, 'in', [...emails]))
    .execute();
  for (const { organization_id } of orgs) for (const email of emails) await suppress(trx, suppressionKey, organization_id, email, 'objection');
  return orgs.length;
}
