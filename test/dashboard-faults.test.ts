// The dashboard (Bull Board at /ops/queues) under faults: a Redis that holds the connection but
// does not answer gets 503 problem+json within the producer connection's command timeout
// (its API, and the ops login's throttle, waited for ever); and an action is audited before it
// is taken: while Postgres is away it is refused (503), never done without its entry. An action
// on a whole large queue (empty: a slice of jobs a Lua script) is not cut by that bound, and
// lets other clients in between its slices: its answer, its audit entry and the queue agree,
// and an entry records the outcome when the action ends, also when the client went away.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, started } from './helpers/context.js';
import { caller, opsAuth } from './helpers/identity.js';
import { startOwnRedis, type OwnRedis } from './helpers/own-redis.js';
import { silentProxy, throughProxy } from './helpers/silent-proxy.js';
import { expectUnavailable } from './helpers/unavailable.js';

const ctx = await createTestContext();
const ops = opsAuth(ctx);
const COMMAND_MS = 1_000;
/** Far past the bound: a hang, not a slow answer. */
const HANG_MS = 20_000;

describe('a Redis that stopped answering', () => {
  it('the dashboard answers 503 within the command timeout; it answered while Redis did', async () => {
    const proxy = await silentProxy(ctx.config.redisUrl);
    try {
      const config = ctx.configWith({ REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_MS), REDIS_URL: throughProxy(ctx.config.redisUrl, proxy) });
      const call = caller(await started(await ctx.start({ config })));
      expect((await call('get', '/ops/queues/api/queues', { auth: ops })).status).toBe(200);
      proxy.silence();
      const began = performance.now();
      expectUnavailable(await call('get', '/ops/queues/api/queues', { auth: ops, signal: AbortSignal.timeout(HANG_MS) }), 'the board');
      expectUnavailable(await call('put', '/ops/queues/api/queues/sms/pause', { auth: ops, signal: AbortSignal.timeout(HANG_MS) }), 'an action');
      // Each is the ops login's throttle read and the board's reads, a command timeout apiece at most.
      expect(performance.now() - began).toBeLessThan(8 * COMMAND_MS + 5_000);
      // /ops/status, capped already, is reached at all: the ops login no longer waits on Redis.
      const status = await call<{ status: string }>('get', '/ops/status', { auth: ops, signal: AbortSignal.timeout(HANG_MS) });
      expect([status.status, status.body.status]).toEqual([200, 'degraded']);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('a dashboard action', () => {
  const paused = () => ctx.db.selectFrom('audit_log').select(['action', 'entity_id', 'actor_id', 'details']).where('action', '=', 'dashboard.pause').where('entity_id', '=', 'mail').execute();

  it('is refused (503) while its audit entry cannot be written, and not taken', async () => {
    const away = await started(await ctx.start({ config: ctx.configWith({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tgg' }) }));
    expectUnavailable(await caller(away)('put', '/ops/queues/api/queues/mail/pause', { auth: ops }), 'pause');
    expect(await away.deps.queues.get('mail').isPaused()).toBe(false);
    expect(await paused()).toEqual([]);
  });

  it('is written to the audit log before it is taken, with its outcome after', async () => {
    const web = await started(await ctx.start({}));
    const answer = await caller(web)('put', '/ops/queues/api/queues/mail/pause', { auth: ops });
    expect(answer.status).toBeLessThan(300);
    expect(await web.deps.queues.get('mail').isPaused()).toBe(true);
    await expect.poll(paused).toEqual([{ action: 'dashboard.pause', entity_id: 'mail', actor_id: ctx.config.ops.user, details: { method: 'PUT', status: answer.status, outcome: 'done' } }]);
    await web.deps.queues.get('mail').resume();
  });
});

describe('emptying a large queue', () => {
  /** Waiting jobs enough for the empty to outlast the bound below (100,000 took 0.6-1.8 s as one drain script on this machine, its slices about three times that). */
  const JOBS = 50_000;
  /**
   * On a Redis of its own: emptying 50,000 jobs three times is seconds of Redis's time. When the
   * empty was one drain script, on the shared server it held every client of the other test file
   * for seconds (10.3 s at load 15; past 5 s Redis answers BUSY): that file's bounded commands
   * failed (ops-metrics' /ops/status said degraded).
   */
  let redis: OwnRedis;
  /** The test's own reads: the runtime's connection is bounded at 400 ms, which a loaded machine's event loop alone can outlast. */
  let inspector: Redis;
  beforeAll(async () => {
    redis = await startOwnRedis();
    inspector = new Redis(redis.url);
  });
  afterAll(async () => {
    inspector.disconnect();
    await redis.stop();
  });
  const bound = () => ({ REDIS_COMMAND_TIMEOUT_MS: '400', REDIS_URL: redis.url });
  /** Filled on a connection of the test's own: the runtime's is bounded for the test. */
  const fill = async (name: string) => {
    const connection = new Redis(redis.url);
    const queue = new Queue(name, { connection, prefix: ctx.config.queuePrefix });
    for (let added = 0; added < JOBS; added += 5_000) await queue.addBulk(Array.from({ length: 5_000 }, () => ({ name: 'filler', data: {} })));
    await queue.close();
    await connection.quit();
  };
  const entries = (queue: string) =>
    ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'dashboard.empty').where('entity_id', '=', queue).orderBy('id').execute().then((rows) => rows.map((r) => r.details));
  const waiting = async (name: string) => {
    const queue = new Queue(name, { connection: inspector, prefix: ctx.config.queuePrefix });
    try {
      return (await queue.getJobCounts('wait')).wait;
    } finally {
      await queue.close();
    }
  };

  it('takes longer than the shared connection bound, and answers 200 with the queue empty and the entry done', async () => {
    const web = await started(await ctx.start({ config: ctx.configWith(bound()) }));
    await fill('invoices');
    const began = performance.now();
    const answer = await caller(web)('put', '/ops/queues/api/queues/invoices/empty', { auth: ops, signal: AbortSignal.timeout(HANG_MS) });
    const tookMs = performance.now() - began;
    expect([answer.status, await waiting('invoices')]).toEqual([200, 0]);
    // It did outlast the bound it is no longer under.
    expect(tookMs).toBeGreaterThan(400);
    await expect.poll(() => entries('invoices')).toEqual([{ method: 'PUT', status: 200, outcome: 'done' }]);
    await web.stop();
  }, 90_000);

  it("a command past even the long bound: 503, and the entry says the outcome is unknown (Redis may have taken it), not that it failed", async () => {
    // No slice of 2,000 jobs is answered within a millisecond (nor, on a loaded machine, the count before them).
    const web = await started(await ctx.start({ config: ctx.configWith({ ...bound(), REDIS_LONG_COMMAND_TIMEOUT_MS: '1' }) }));
    await fill('privacy');
    expectUnavailable(await caller(web)('put', '/ops/queues/api/queues/privacy/empty', { auth: ops, signal: AbortSignal.timeout(HANG_MS) }), 'empty');
    await expect.poll(() => entries('privacy')).toEqual([{ method: 'PUT', status: 503, outcome: 'unknown' }]);
    await web.stop();
  }, 90_000);

  it('lets other clients in between its slices: one of them sees the queue part emptied', async () => {
    const web = await started(await ctx.start({ config: ctx.configWith(bound()) }));
    await fill('maintenance');
    const reader = new Redis(redis.url);
    const seen = new Set<number>();
    let emptying = true;
    const reading = (async () => {
      while (emptying) seen.add(await reader.llen(`${ctx.config.queuePrefix}:maintenance:wait`));
    })();
    const answer = await caller(web)('put', '/ops/queues/api/queues/maintenance/empty', { auth: ops, signal: AbortSignal.timeout(HANG_MS) });
    emptying = false;
    await reading;
    await reader.quit();
    expect([answer.status, await waiting('maintenance')]).toEqual([200, 0]);
    // One script over every job (BullMQ's drain) shows only the whole queue or none of it.
    expect([...seen].some((n) => n > 0 && n < JOBS)).toBe(true);
    await web.stop();
  }, 90_000);

  it('whose client went away mid-action: the action runs on, and its entry gets its outcome when it ends', async () => {
    const web = await started(await ctx.start({ config: ctx.configWith(bound()) }));
    await fill('sms-reports');
    const gone = await caller(web)('put', '/ops/queues/api/queues/sms-reports/empty', { auth: ops, signal: AbortSignal.timeout(150) }).then(
      () => false,
      () => true,
    );
    expect(gone).toBe(true);
    await expect.poll(() => waiting('sms-reports'), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => entries('sms-reports'), { timeout: 10_000 }).toEqual([{ method: 'PUT', status: 200, outcome: 'done', clientGone: true }]);
    await web.stop();
  }, 120_000);
});
