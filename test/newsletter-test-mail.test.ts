// A campaign's test mail (POST /v1/campaigns/{id}/test) as an abuser uses it (adversarial
// review, 6 December): it went to any address, also one that objected to marketing (P12),
// unsubscribed or is under a privacy restriction, and without limit, so a member's key was a
// way around its own suppression list and a relay for unsolicited mail under TGG's name.
import { describe, expect, it } from 'vitest';
import { TEST_MAILS_PER_ORGANIZATION_PER_DAY } from '../workers/newsletter/campaign-mail.js';
import { suppress } from '../workers/newsletter/suppression.js';
import { identifierHash } from '../workers/privacy/subject.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);

async function campaignOf(name: string) {
  const org = await newOrganization(call, ctx, name);
  const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: `${name} nieuws` } })).body;
  const body = { listId: list.id, subject: 'Aanbieding', html: '<p>Koop nu</p>', sendAt: new Date(Date.now() + 86_400_000).toISOString() };
  const campaign = (await call<{ id: string }>('post', '/v1/campaigns', { auth: org.key, body })).body;
  return { org, list, test: (email: string) => call('post', `/v1/campaigns/${campaign.id}/test`, { auth: org.key, body: { email } }) };
}
const mailsTo = async (to: string) => (await ctx.db.selectFrom('mail_messages').select('id').where('to_address', '=', to).execute()).length;

describe('the test mail of a campaign', () => {
  it('never goes to an address the organisation suppresses (an objection, an unsubscribe) nor to one a privacy restriction holds', async () => {
    const { org, test } = await campaignOf('Kapsalon Noord');
    await ctx.db.transaction().execute((trx) => suppress(trx, ctx.config.suppressionKey, org.id, 'bezwaar@voorbeeld.nl', 'objection'));
    await ctx.db.insertInto('privacy_restrictions').values({ identifier_hash: identifierHash(ctx.config.suppressionKey, 'email', 'beperkt@voorbeeld.nl'), request_id: null }).execute();

    for (const email of ['Bezwaar@Voorbeeld.nl', 'beperkt@voorbeeld.nl']) {
      const refused = await test(email);
      expect(refused.status).toBe(409);
      expect(refused.body.errors?.map((e) => e.field)).toEqual(['body.email']);
      expect(await mailsTo(email.toLowerCase())).toBe(0);
    }
    expect((await test('collega@voorbeeld.nl')).status).toBe(202);
    expect(await mailsTo('collega@voorbeeld.nl')).toBe(1);
  });

  it(`takes ${TEST_MAILS_PER_ORGANIZATION_PER_DAY} a day from one organisation, then 429 with Retry-After; another organisation is not held back`, async () => {
    const { test } = await campaignOf('Bakkerij Oost');
    for (let i = 0; i < TEST_MAILS_PER_ORGANIZATION_PER_DAY; i++) expect((await test(`vreemde${i}@voorbeeld.nl`)).status).toBe(202);
    const refused = await test('nog-een-vreemde@voorbeeld.nl');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await mailsTo('nog-een-vreemde@voorbeeld.nl')).toBe(0);
    expect((await (await campaignOf('Slagerij West')).test('team@voorbeeld.nl')).status).toBe(202);
  });
});
