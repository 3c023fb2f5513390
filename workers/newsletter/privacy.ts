// The newsletter family's part of privacy requests: subscribers (and the consents they gave)
// and sign-ups waiting for confirmation, by address. An objection unsubscribes the address
// from every list at once (art. 21).
import { sql } from 'kysely';
import { item, membersOf, NOTHING, personWhere, type Found, type PrivacyReach } from '../privacy/reach.js';

export const newsletterPrivacy: PrivacyReach = {
  tables: ['newsletter_subscribers', 'newsletter_consents', 'newsletter_signups'],
  identifiers: [{ table: 'newsletter_subscribers', column: 'email', kind: 'email' }, { table: 'newsletter_signups', column: 'email', kind: 'email' }],
  async find(db, s): Promise<Found> {
    if (s.emails.length === 0) return {};
    // Stored in lower case (normaliseAddress), so the plain index on email serves.
    const subscribers = await db.selectFrom('newsletter_subscribers').select(['id', 'organization_id', 'list_id', 'email', 'name', 'attributes', 'status', 'created_at', 'unsubscribed_at']).where('email', 'in', s.emails).execute();
    const consents =
      subscribers.length === 0 ? [] : await db.selectFrom('newsletter_consents').select(['id', 'organization_id', 'subscriber_id', 'list_id', 'given_at', 'method', 'privacy_statement', 'ip_truncated', 'legal_basis']).where('subscriber_id', 'in', subscribers.map((r) => r.id)).execute();
    const signups = await db.selectFrom('newsletter_signups').select(['id', 'organization_id', 'list_id', 'email', 'name', 'created_at']).where('email', 'in', s.emails).execute();
    return {
      'newsletter.subscribers': subscribers.map(({ id, organization_id, ...sub }) => item('newsletter_subscribers', { id, organization_id }, sub)),
      'newsletter.consents': consents.map(({ id, organization_id, ...consent }) => item('newsletter_consents', { id, organization_id }, consent)),
      'newsletter.signups': signups.map(({ id, organization_id, ...signup }) => item('newsletter_signups', { id, organization_id }, signup)),
    };
  },
  async erase(trx, s) {
    if (s.emails.length === 0) return NOTHING;
    const subscribers = await trx.selectFrom('newsletter_subscribers').select(['id', 'organization_id']).where('email', 'in', s.emails).execute();
    const ids = subscribers.map((r) => r.id);
    const consents = ids.length === 0 ? [] : await trx.deleteFrom('newsletter_consents').where('subscriber_id', 'in', ids).returning('id').execute();
    if (ids.length > 0) await trx.deleteFrom('newsletter_subscribers').where('id', 'in', ids).execute();
    const signups = await trx.deleteFrom('newsletter_signups').where(personWhere(s, { email: 'email' })).returning('id').execute();
    return {
      counts: { 'newsletter.subscribers': { erased: subscribers.length }, 'newsletter.consents': { erased: consents.length }, 'newsletter.signups': { erased: signups.length } },
      kept: [],
      members: membersOf('newsletter.subscribers', subscribers),
    };
  },
  async restrict(trx, s) {
    if (s.emails.length === 0) return NOTHING;
    const signups = await trx.deleteFrom('newsletter_signups').where('email', 'in', s.emails).returning('id').execute();
    return { ...NOTHING, counts: { 'newsletter.signups': { restricted: signups.length } } };
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
