// The campaign send path when things go wrong (issue 14), against a real SMTP server on
// loopback: the relay refuses some recipients for a while (4xx, retried with backoff) and
// some for good (5xx, failed), drops a connection after a message's final '.' (that mail is
// 'unknown', never resent), then the worker stops and Redis loses the campaign's jobs; the
// reconciler enqueues the open chunks again. Nothing is lost and nobody is mailed twice.
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileOnce } from '../workers/core/reconciler.js';
import { DUE_WORK } from '../workers/due-work.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { filledList, type CampaignBody } from './helpers/newsletter.js';
import { startSmtp } from './helpers/smtp.js';

const TOTAL = 2_500;
const ctx = await createTestContext();
const smtp = await startSmtp();
const config = ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>', MAIL_RETRY_BASE_MS: '200' });
const web = await ctx.start({ roles: ['web'], config });
const workers = [await ctx.start({ roles: ['mail'], config })];
afterAll(async () => {
  for (const w of workers) await w.stop();
  await web.stop();
  await smtp.close();
});
const call = caller(web);
const org = await newOrganization(call, ctx, 'Vereniging A');

const indexOf = (address: string) => Number(/^r(\d+)@/.exec(address)?.[1] ?? -1);
const refusedForGood = (i: number) => i % 100 === 7;
const refusedOnce = (i: number) => i % 100 === 13;

describe('a campaign through a misbehaving relay and a Redis that forgets', () => {
  it('sends everyone at most once and loses no one', { timeout: 300_000 }, async () => {
    const seen = new Map<string, number>();
    smtp.rcptPolicy = (address) => {
      const i = indexOf(address.address);
      const times = (seen.get(address.address) ?? 0) + 1;
      seen.set(address.address, times);
      if (refusedForGood(i)) return { code: 550, message: 'No such user' };
      if (refusedOnce(i) && times === 1) return { code: 451, message: 'Try again later' };
      return undefined;
    };
    smtp.dropAfterData = (n) => n === 300;
    const listId = await filledList(call, org.key, Array.from({ length: TOTAL }, (_, i) => ({ email: `r${i}@voorbeeld.nl` })));
    const created = await call<CampaignBody>('post', '/v1/campaigns', { auth: org.key, body: { listId, subject: 'Nieuws', html: '<p>Hallo {{name}}</p>' } });
    expect(created.status).toBe(202);
    const id = created.body.id;

    // Mid-campaign the worker stops and Redis loses every job of the mail queue.
    await waitFor(() => Promise.resolve(smtp.received.length >= 800), 'the campaign to be under way', 120_000);
    await workers[0]?.stop();
    const keys = await ctx.redis.keys(`${ctx.prefix}:mail:*`);
    if (keys.length > 0) await ctx.redis.del(...keys);
    const midway = (await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth: org.key })).body;
    expect(midway.status).toBe('sending');
    expect(midway.counts.queued).toBeGreaterThan(0);

    workers.push(await ctx.start({ roles: ['mail'], config }));
    const report = await reconcileOnce(web.deps, DUE_WORK);
    expect(report?.enqueued).toBeGreaterThan(0);
    // Retries whose backoff runs out after the chunk job ended come back through the reconciler.
    const done = await waitFor(async () => {
      await reconcileOnce(web.deps, DUE_WORK);
      const c = (await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth: org.key })).body;
      return c.status === 'completed' ? c : undefined;
    }, 'the campaign to complete', 180_000);

    const permanent = Array.from({ length: TOTAL }, (_, i) => i).filter(refusedForGood).length;
    expect(done.counts).toMatchObject({ failed: permanent, unknown: 1, queued: 0, sending: 0 });
    expect(done.counts.sent).toBe(TOTAL - permanent - 1);

    // Nobody twice: every address reached the relay's DATA at most once.
    const delivered = smtp.received.flatMap((m) => m.to);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.length).toBe(TOTAL - permanent);
    // The 4xx ones went again and arrived; the dropped one (unknown) arrived once and was not resent.
    const retried = [...seen].filter(([a]) => refusedOnce(indexOf(a)));
    expect(retried.every(([a, times]) => times === 2 && delivered.includes(a))).toBe(true);
    const unknown = await ctx.db.selectFrom('newsletter_deliveries').select(['error_code', 'smtp_code']).where('campaign_id', '=', id).where('status', '=', 'unknown').execute();
    expect(unknown).toEqual([{ error_code: 'econnection', smtp_code: null }]);
    const failed = await ctx.db.selectFrom('newsletter_deliveries').select('smtp_code').where('campaign_id', '=', id).where('status', '=', 'failed').execute();
    expect(failed.every((f) => f.smtp_code === 550)).toBe(true);
  });
});
