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
    // A relay slow enough (10 ms a message) that the worker is stopped while the campaign is under way, however fast the machine.
    smtp.dataDelayMs = 10;
    const listId = await filledList(call, org.key, Array.from({ length: TOTAL }, (_, i) => ({ email: `r${i}@voorbeeld.nl` })));
    const created = await call<CampaignBody>('post', '/v1/campaigns', { auth: org.key, body: { listId, subject: 'Nieuws', html: '<p>Hallo {{name}}</p>' } });
    expect(created.status).toBe(202);
    const id = created.body.id;

    // Mid-campaign the worker stops and Redis loses every job of the mail queue. The relay stops
    // answering '.' as the stop begins: the stop's grace (5 s) would otherwise let a fast machine
    // send nearly the whole campaign before the jobs end (seen: 2,356 of 2,500). Now the windows
    // in flight stay unanswered through the grace, and the rest of the campaign stays queued.
    await waitFor(() => Promise.resolve(smtp.received.length >= 800), 'the campaign to be under way', 120_000);
    smtp.dataDelayMs = 60_000;
    await workers[0]?.stop();
    smtp.dataDelayMs = 10;
    const keys = await ctx.redis.keys(`${ctx.prefix}:mail:*`);
    if (keys.length > 0) await ctx.redis.del(...keys);
    const midway = (await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth: org.key })).body;
    expect(midway.status).toBe('sending');
    expect(midway.counts.queued).toBeGreaterThan(0);

    workers.push(await ctx.start({ roles: ['mail'], config }));
    const report = await reconcileOnce(web.deps, DUE_WORK);
    expect(report?.enqueued).toBeGreaterThan(0);
    // Retries whose backoff runs out after the chunk job ended come back through the reconciler.
    const counts = async () => (await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth: org.key })).body.counts;
    let lastSending = -1;
    await waitFor(async () => {
      await reconcileOnce(web.deps, DUE_WORK);
      const c = await counts();
      const settled = c.queued === 0 && c.sending === lastSending;
      lastSending = c.sending ?? 0;
      await new Promise((r) => setTimeout(r, 1_000));
      return settled;
    }, 'every queued delivery to be sent or refused', 180_000);
    // What the stopped worker had in flight stays 'sending': ten minutes on, the sweep makes it
    // 'unknown' (it may have reached the relay) and the campaign completes. Never sent again.
    const stuck = await ctx.db.updateTable('newsletter_deliveries').set({ claimed_at: new Date(Date.now() - 3_600_000) }).where('campaign_id', '=', id).where('status', '=', 'sending').returning('id').execute();
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck.length).toBeLessThanOrEqual(400);
    const done = await waitFor(async () => {
      await reconcileOnce(web.deps, DUE_WORK);
      const c = (await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth: org.key })).body;
      return c.status === 'completed' ? c : undefined;
    }, 'the campaign to complete', 60_000);

    const statuses = await ctx.db.selectFrom('newsletter_deliveries as d').innerJoin('newsletter_subscribers as s', 's.id', 'd.subscriber_id').select(['s.email', 'd.status']).where('d.campaign_id', '=', id).execute();
    const statusOf = new Map(statuses.map((r) => [r.email, r.status]));
    expect(done.counts).toMatchObject({ unknown: 1 + stuck.length, queued: 0, sending: 0 });
    expect((done.counts.sent ?? 0) + (done.counts.failed ?? 0) + (done.counts.unknown ?? 0)).toBe(TOTAL);
    // Every 5xx address failed, unless it was in flight when the worker stopped (unknown).
    expect(statuses.filter((r) => refusedForGood(indexOf(r.email))).every((r) => r.status === 'failed' || r.status === 'unknown')).toBe(true);
    expect(statuses.filter((r) => r.status === 'failed').every((r) => refusedForGood(indexOf(r.email)))).toBe(true);

    // Nobody twice: every address reached the relay's DATA at most once; every sent one did.
    const delivered = smtp.received.flatMap((m) => m.to);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(statuses.filter((r) => r.status === 'sent').every((r) => delivered.includes(r.email))).toBe(true);
    // The 4xx ones went again and arrived.
    const retried = [...seen].filter(([a]) => refusedOnce(indexOf(a)) && statusOf.get(a) === 'sent');
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every(([, times]) => times === 2)).toBe(true);
    const dropped = await ctx.db.selectFrom('newsletter_deliveries').select(['error_code', 'smtp_code']).where('campaign_id', '=', id).where('status', '=', 'unknown').where('error_code', '=', 'econnection').execute();
    expect(dropped).toEqual([{ error_code: 'econnection', smtp_code: null }]);
    const failed = await ctx.db.selectFrom('newsletter_deliveries').select('smtp_code').where('campaign_id', '=', id).where('status', '=', 'failed').execute();
    expect(failed.every((f) => f.smtp_code === 550)).toBe(true);
  });
});
