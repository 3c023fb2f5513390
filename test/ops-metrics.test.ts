// Issue 17: /metrics and /ops/status. Queue depths and the oldest waiting job from BullMQ, job
// durations, SMS outcomes by provider, the retention run, the reconciler; a worker's own
// /metrics on METRICS_PORT; every page behind the ops logins and free of numbers and texts.
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { basic } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext({ OPS_READONLY_USER: 'watcher', OPS_READONLY_PASSWORD: 'watcher-password-1' });
const runtime = await ctx.start({ roles: ['web', 'sms', 'scheduler'] });
const call = caller(runtime);
const ops = opsAuth(ctx);
const org = await newOrganization(call, ctx, 'Metrics Bakery');
const TEXT = 'Uw bestelling ligt klaar';

function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function metrics(): Promise<string> {
  const answer = await call<string>('get', '/metrics', { auth: ops });
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('/metrics', () => {
  it('is for the ops logins only', async () => {
    expect((await call('get', '/metrics')).status).toBe(401);
    expect((await call('get', '/metrics', { auth: basic('watcher', 'watcher-password-1') })).status).toBe(200);
  });

  it('counts SMS by provider and outcome, times jobs by name, and shows no number or text', async () => {
    const sms = batches(call, () => org.key);
    const id = await sms.submit('Bakery', TEXT, [{ phone: mobile(1) }, { phone: mobile(2) }, { phone: mobile(3) }]);
    await sms.finished(id);
    const body = await metrics();
    expect(sample(body, 'tgg_sms_messages_total', { provider: 'outbox', outcome: 'submitted' })).toBe(3);
    expect(sample(body, 'tgg_job_duration_seconds_count', { queue: 'sms', job: 'sms.send-chunk', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'tgg_sms_unknown_messages')).toBe(0);
    for (const secret of [mobile(1), mobile(1).slice(1), TEXT, 'Metrics Bakery', org.id, id]) expect(body).not.toContain(secret);
  });

  it('reads every queue’s depth and its oldest waiting job from BullMQ', async () => {
    // A job nobody works on (no privacy worker here), due 11 minutes ago.
    await runtime.deps.queues.get('privacy').add('probe', {}, { timestamp: Date.now() - 11 * 60_000 });
    await new Promise((r) => setTimeout(r, 5_100)); // past the scrape cache
    const body = await metrics();
    expect(sample(body, 'tgg_queue_jobs', { queue: 'privacy', state: 'waiting' })).toBe(1);
    expect(sample(body, 'tgg_queue_oldest_waiting_seconds', { queue: 'privacy' })).toBeGreaterThan(600);
    for (const queue of ['sms', 'sms-reports', 'invoices', 'mail', 'maintenance']) {
      expect(sample(body, 'tgg_queue_jobs', { queue, state: 'failed' }), queue).toBeDefined();
    }
    expect(sample(body, 'tgg_redis_up')).toBe(1);
  });

  it('records each retention run: rows removed per category, the last finish, /ops/status', async () => {
    const before = Date.now() / 1000;
    await runtime.deps.queues.enqueue('maintenance.retention-purge', {});
    await waitFor(async () => (await ctx.db.selectFrom('retention_runs').select('id').where('finished_at', 'is not', null).executeTakeFirst()) ?? undefined, 'a finished purge run');
    await new Promise((r) => setTimeout(r, 5_100));
    const body = await metrics();
    expect(sample(body, 'tgg_retention_last_finished_timestamp_seconds')).toBeGreaterThan(before - 1);
    const status = await call<{ families: { maintenance: { retention: { lastFinishedAt: string; hoursSinceLastFinished: number } } } }>('get', '/ops/status', { auth: ops });
    expect(status.body.families.maintenance.retention.hoursSinceLastFinished).toBe(0);
  });
});

describe('/ops/status', () => {
  it('answers the ops logins with the dependencies, every queue and each family’s section', async () => {
    expect((await call('get', '/ops/status')).status).toBe(401);
    const answer = await call<{
      status: string;
      dependencies: Record<string, { status: string }>;
      queues: { queue: string; jobs: Record<string, number>; oldestWaitingSeconds: number }[];
      families: Record<string, unknown>;
    }>('get', '/ops/status', { auth: basic('watcher', 'watcher-password-1') });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.dependencies.postgres?.status).toBe('ok');
    expect(answer.body.dependencies.redis?.status).toBe('ok');
    expect(answer.body.queues.map((q) => q.queue).sort()).toEqual(['invoices', 'mail', 'maintenance', 'privacy', 'sms', 'sms-reports']);
    expect(answer.body.families.sms).toEqual({ unknownMessagesLast7Days: 0, batchesWithUnknownLast7Days: 0 });
    expect(answer.body.families).toHaveProperty('privacy', { openRequests: 0, overdueRequests: 0, byType: {} });
  });

  it('says degraded, naming Redis, when Redis does not answer', async () => {
    const cut = await ctx.start({ roles: ['web'], config: ctx.configWith({ REDIS_URL: 'redis://127.0.0.1:1' }), waitForRedisMs: 100 });
    const answer = await caller(cut)<{ status: string; dependencies: { redis: { status: string } }; queues: unknown }>('get', '/ops/status', { auth: ops });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('degraded');
    expect(answer.body.dependencies.redis.status).toBe('unavailable');
    expect(answer.body.queues).toEqual({ error: 'unavailable' });
    await cut.stop();
  });
});

describe('a worker’s /metrics on METRICS_PORT', () => {
  it('serves its own metrics to the ops logins only', async () => {
    const worker = await ctx.start({ roles: ['sms'], config: ctx.configWith({ METRICS_PORT: '0' }) });
    const url = `http://127.0.0.1:${worker.port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: basic('ops', 'wrong') } })).status).toBe(401);
    const answer = await fetch(url, { headers: { authorization: ops } });
    expect(answer.status).toBe(200);
    const body = await answer.text();
    expect(body).toContain('tgg_job_duration_seconds');
    // The platform's gauges are the web process's: not counted once per worker.
    expect(body).not.toContain('tgg_queue_jobs');
    expect((await fetch(`http://127.0.0.1:${worker.port}/`, { headers: { authorization: ops } })).status).toBe(404);
    await worker.stop();
  });
});
