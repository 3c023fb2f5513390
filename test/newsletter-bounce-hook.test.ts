// POST /hooks/mail/bounces (issue 14, P12): only with the shared secret (a forged post gets 401
// and changes nothing); a hard bounce or a complaint suppresses at once, three soft bounces in
// a row too (a delivery between them that did not bounce breaks the row); the delivery becomes
// `bounced`; a re-import then counts the address as suppressed, never subscribed again.
import { describe, expect, it } from 'vitest';
import { parseVerp, verpReturnPath } from '../workers/newsletter/verp.js';
import { isSuppressed } from '../workers/newsletter/suppression.js';
import { secretMatches } from '../api/routes/hooks-mail-bounces.js';
import { retentionPolicy } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { sentCampaign, sentToList } from './helpers/newsletter.js';

const SECRET = 'a-shared-bounce-hook-secret-of-40-chars!';
const ctx = await createTestContext({ MAIL_HOOK_SECRET: SECRET, BOUNCE_DOMAIN: 'bounces.tgg.test' });
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Stuiterbal BV');
const key = ctx.config.suppressionKey;
const verp = { secretKey: ctx.config.secretKey, bounceDomain: 'bounces.tgg.test' };
const hook = (body: unknown, secret: string | null = SECRET) => call<{ status: string }>('post', '/hooks/mail/bounces', { body, ...(secret !== null && { auth: `Bearer ${secret}` }) });
const deliveryOf = (id: number) => ctx.db.selectFrom('newsletter_deliveries').select(['status', 'error_code']).where('id', '=', id).executeTakeFirstOrThrow();
const subscriberOf = (id: string) => ctx.db.selectFrom('newsletter_subscribers').select('status').where('id', '=', id).executeTakeFirstOrThrow();

describe('the shared secret', () => {
  it('is compared whatever its length, and an unset one matches nothing', () => {
    expect(secretMatches(SECRET, `Bearer ${SECRET}`)).toBe(true);
    expect(secretMatches(SECRET, `Bearer ${SECRET}x`)).toBe(false);
    expect(secretMatches(SECRET, SECRET)).toBe(false);
    expect(secretMatches(undefined, 'Bearer ')).toBe(false);
  });

  it('refuses a forged or missing secret with 401, and nothing changes', async () => {
    const { deliveries: [d] } = await sentCampaign(ctx.db, key, org.id, ['vervalst@voorbeeld.nl']);
    for (const secret of [null, 'wrong-secret-of-the-same-sort-of-length!', SECRET.slice(0, -1), SECRET.toUpperCase()]) {
      const answer = await hook({ type: 'hard', deliveryId: d!.id }, secret);
      expect(answer.status).toBe(401);
    }
    expect(await deliveryOf(d!.id)).toEqual({ status: 'sent', error_code: null });
    expect(await isSuppressed(ctx.db, key, org.id, 'vervalst@voorbeeld.nl')).toBe(false);
  });

  it('refuses everything when MAIL_HOOK_SECRET is not set', async () => {
    const bare = await ctx.start({ roles: ['web'], config: ctx.configWith({ MAIL_HOOK_SECRET: '' }) });
    try {
      const answer = await caller(bare)('post', '/hooks/mail/bounces', { body: { type: 'hard', deliveryId: 1 }, auth: 'Bearer ' });
      expect(answer.status).toBe(401);
    } finally {
      await bare.stop();
    }
  });
});

describe('bounces', () => {
  it('suppresses at once on a hard bounce named by its VERP return path, and a re-import leaves it out', async () => {
    const { listId, deliveries: [d] } = await sentCampaign(ctx.db, key, org.id, ['hard@voorbeeld.nl']);
    const answer = await hook({ type: 'hard', returnPath: verpReturnPath(verp, d!.id) });
    expect(answer.status).toBe(200);
    expect(await deliveryOf(d!.id)).toEqual({ status: 'bounced', error_code: 'bounce-hard' });
    expect(await subscriberOf(d!.subscriberId)).toEqual({ status: 'unsubscribed' });
    const reason = await ctx.db.selectFrom('newsletter_suppressions').select('reason').where('organization_id', '=', org.id).execute();
    expect(reason).toContainEqual({ reason: 'hard_bounce' });
    // A later soft report never softens it; the same report again changes nothing.
    expect((await hook({ type: 'soft', deliveryId: d!.id })).status).toBe(200);
    expect((await hook({ type: 'hard', deliveryId: d!.id })).status).toBe(200);
    expect(await deliveryOf(d!.id)).toEqual({ status: 'bounced', error_code: 'bounce-hard' });
    const again = await call<{ added: number; suppressed: number }>('post', `/v1/lists/${listId}/subscribers`, { auth: org.key, body: { subscribers: [{ email: 'Hard@Voorbeeld.nl' }], basis: 'consent' } });
    expect(again.body).toMatchObject({ added: 0, suppressed: 1 });
    expect(await subscriberOf(d!.subscriberId)).toEqual({ status: 'unsubscribed' });
    // 30 days after unsubscribing the subscriber is deleted; the hash stays and keeps it out.
    await ctx.db.updateTable('newsletter_subscribers').set({ unsubscribed_at: new Date(Date.now() - 31 * 86_400_000) }).where('id', '=', d!.subscriberId).execute();
    await purgeAll(ctx.db, retentionPolicy(), { now: new Date(), batchSize: 100 });
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('id').where('id', '=', d!.subscriberId).execute()).toEqual([]);
    expect(await isSuppressed(ctx.db, key, org.id, 'hard@voorbeeld.nl')).toBe(true);
    const afterErasure = await call<{ added: number; suppressed: number }>('post', `/v1/lists/${listId}/subscribers`, { auth: org.key, body: { subscribers: [{ email: 'hard@voorbeeld.nl' }], basis: 'consent' } });
    expect(afterErasure.body).toMatchObject({ added: 0, suppressed: 1 });
  });

  it('suppresses at once on a complaint', async () => {
    const { deliveries: [d] } = await sentCampaign(ctx.db, key, org.id, ['klacht@voorbeeld.nl']);
    expect((await hook({ type: 'complaint', deliveryId: d!.id })).status).toBe(200);
    expect(await deliveryOf(d!.id)).toEqual({ status: 'bounced', error_code: 'complaint' });
    expect(await isSuppressed(ctx.db, key, org.id, 'klacht@voorbeeld.nl')).toBe(true);
  });

  it('suppresses after three soft bounces in a row, not when a delivery between them did not bounce', async () => {
    const email = 'zacht@voorbeeld.nl';
    const first = await sentCampaign(ctx.db, key, org.id, [email]);
    const send = async () => (await sentToList(ctx.db, key, org.id, first.listId, [email])).deliveries[0]!.id;
    const ids = [first.deliveries[0]!.id, await send(), await send()];
    await hook({ type: 'soft', deliveryId: ids[0] });
    await hook({ type: 'soft', deliveryId: ids[1] });
    await send(); // went out, and did not bounce: the row is broken
    const fourth = await send();
    await hook({ type: 'soft', deliveryId: ids[2] });
    await hook({ type: 'soft', deliveryId: fourth });
    expect(await isSuppressed(ctx.db, key, org.id, email)).toBe(false);
    expect(await deliveryOf(fourth)).toEqual({ status: 'bounced', error_code: 'bounce-soft' });
    const fifth = await send();
    await hook({ type: 'soft', deliveryId: fifth });
    expect(await isSuppressed(ctx.db, key, org.id, email)).toBe(false); // the fourth's predecessor went out fine
    await hook({ type: 'soft', deliveryId: fifth }); // the same report twice is still one bounce
    expect(await isSuppressed(ctx.db, key, org.id, email)).toBe(false);
    const sixth = await send();
    await hook({ type: 'soft', deliveryId: sixth });
    expect(await isSuppressed(ctx.db, key, org.id, email)).toBe(true);
    const reasons = await ctx.db.selectFrom('newsletter_suppressions').select('reason').where('organization_id', '=', org.id).execute();
    expect(reasons).toContainEqual({ reason: 'soft_bounces' });
  });

  it('answers the unfriendly peer: a forged return path, an unknown delivery, a bad type, both or neither name', async () => {
    const { deliveries: [d] } = await sentCampaign(ctx.db, key, org.id, ['vreemd@voorbeeld.nl']);
    const forged = verpReturnPath(verp, d!.id).replace(/\.([0-9a-f])/, (_m, c: string) => `.${c === '0' ? '1' : '0'}`);
    expect(parseVerp(verp, forged)).toBeNull();
    const answers = [
      await hook({ type: 'hard', returnPath: forged }),
      await hook({ type: 'hard', returnPath: verpReturnPath({ ...verp, bounceDomain: 'elders.test' }, d!.id) }),
      await hook({ type: 'hard', deliveryId: 999_999_999 }),
      await hook({ type: 'bounce', deliveryId: d!.id }),
      await hook({ type: 'hard', deliveryId: d!.id, returnPath: verpReturnPath(verp, d!.id) }),
      await hook({ type: 'hard' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 404, 400, 400, 400]);
    expect(await deliveryOf(d!.id)).toEqual({ status: 'sent', error_code: null });
  });
});
