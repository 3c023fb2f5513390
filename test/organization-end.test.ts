// Ending an organisation's relationship (POST /ops/organizations/{id}/end) as an unlucky
// operator meets it (adversarial review, 6 December): its keys stopped at once, but a batch it
// had scheduled was still sent after the end (and nobody there could cancel it any more), a
// scheduled campaign still went, and its public sign-up forms still took sign-ups and mailed
// confirmations on its behalf; and the subscribers of its newsletters (TGG their processor)
// were kept for ever, while subscribed.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { retentionPolicy } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { signupToken } from '../workers/newsletter/signup-token.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const url = baseUrl(web);
const ops = opsAuth(ctx);
const later = () => new Date(Date.now() + 3_600_000).toISOString();

describe('an ended organisation', () => {
  it('has every open SMS batch and campaign cancelled in the same transaction, and its lists take no sign-ups', async () => {
    const org = await newOrganization(call, ctx, 'Vertrokken BV');
    const other = await newOrganization(call, ctx, 'Blijvend BV');
    const batchOf = async (key: string) => (await call<{ id: string; status: string }>('post', '/v1/sms/batches', { auth: key, body: { sender: 'Vertrokken', body: 'Uw afspraak morgen.', sendAt: later(), recipients: [{ phone: '0612345678' }, { phone: '0612345679' }] } })).body;
    const scheduled = await batchOf(org.key);
    const othersBatch = await batchOf(other.key);
    expect(scheduled.status).toBe('scheduled');
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Vertrokken nieuws' } })).body;
    await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'lid@voorbeeld.nl' }] } });
    const campaign = (await call<{ id: string; status: string }>('post', '/v1/campaigns', { auth: org.key, body: { listId: list.id, subject: 'Nieuws', html: '<p>Hallo</p>', sendAt: later() } })).body;
    expect(campaign.status).toBe('scheduled');
    // A sign-up made before the end, confirmed after it.
    const signUp = (body: unknown) => fetch(`${url}/public/lists/${list.id}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await signUp({ email: 'nieuw@voorbeeld.nl' })).status).toBe(202);
    const pending = await ctx.db.selectFrom('newsletter_signups').select('id').where('list_id', '=', list.id).executeTakeFirstOrThrow();

    expect((await call('post', `/ops/organizations/${org.id}/end`, { auth: ops })).status).toBe(200);

    const batchRow = await ctx.db.selectFrom('sms_batches').select(['status', 'cancelled_at']).where('id', '=', scheduled.id).executeTakeFirstOrThrow();
    expect(batchRow.status).toBe('cancelled');
    expect(batchRow.cancelled_at).not.toBeNull();
    const messages = await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', scheduled.id).execute();
    expect(messages.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect((await ctx.db.selectFrom('sms_chunks').select('done').where('batch_id', '=', scheduled.id).execute()).every((c) => c.done)).toBe(true);
    expect((await ctx.db.selectFrom('newsletter_campaigns').select('status').where('id', '=', campaign.id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    const audits = await ctx.db.selectFrom('audit_log').select(['action', 'actor_type']).where('organization_id', '=', org.id).where('action', 'in', ['sms.batch.cancelled', 'newsletter.campaign.cancelled']).execute();
    expect(audits.map((a) => `${a.actor_type} ${a.action}`).sort()).toEqual(['ops newsletter.campaign.cancelled', 'ops sms.batch.cancelled']);
    // Another organisation's batch is untouched.
    expect((await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', othersBatch.id).executeTakeFirstOrThrow()).status).toBe('scheduled');

    expect((await fetch(`${url}/public/lists/${list.id}/subscribe`)).status).toBe(404);
    expect((await signUp({ email: 'nog-een@voorbeeld.nl' })).status).toBe(404);
    const confirmed = await fetch(`${url}/public/newsletter/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: signupToken(ctx.config.secretKey, pending.id) }) });
    expect(confirmed.status).toBe(400);
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('email').where('list_id', '=', list.id).execute()).toEqual([{ email: 'lid@voorbeeld.nl' }]);
  });

  it(`loses its newsletter subscribers and their consents ${ctx.config.relationshipGraceDays} days after the end, and only then`, async () => {
    const subscribedTo = async (name: string) => {
      const org = await newOrganization(call, ctx, name);
      const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: `${name} nieuws` } })).body;
      await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'abonnee@voorbeeld.nl' }] } });
      return org;
    };
    const ended = await subscribedTo('Opgeheven BV');
    const staying = await subscribedTo('Actief BV');
    const rowsOf = async (orgId: string) => [
      (await ctx.db.selectFrom('newsletter_subscribers').select('id').where('organization_id', '=', orgId).execute()).length,
      (await ctx.db.selectFrom('newsletter_consents').select('id').where('organization_id', '=', orgId).execute()).length,
    ];
    expect(await rowsOf(ended.id)).toEqual([1, 1]);
    expect((await call('post', `/ops/organizations/${ended.id}/end`, { auth: ops })).status).toBe(200);
    const purge = () => purgeAll(ctx.db, retentionPolicy(ctx.config), { now: new Date(), batchSize: 100 });

    await purge();
    expect(await rowsOf(ended.id)).toEqual([1, 1]);
    const days = ctx.config.relationshipGraceDays + 1;
    await ctx.db.updateTable('organizations').set({ ended_at: sql`now() - make_interval(days => ${days})` }).where('id', '=', ended.id).execute();
    expect((await purge())['newsletter.subscribers-of-ended-members']).toBe(1);
    expect(await rowsOf(ended.id)).toEqual([0, 0]);
    expect(await rowsOf(staying.id)).toEqual([1, 1]);
  });
});
