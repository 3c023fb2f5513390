// The dashboard (Bull Board at /ops/queues) under faults: a Redis that holds the connection but
// does not answer gets 503 problem+json within the producer connection's command timeout
// (its API, and the ops login's throttle, waited for ever); and an action is audited before it
// is taken: while Postgres is away it is refused (503), never done without its entry.
import { describe, expect, it } from 'vitest';
import { createTestContext, started } from './helpers/context.js';
import { caller, opsAuth } from './helpers/identity.js';
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
    await expect.poll(paused).toEqual([{ action: 'dashboard.pause', entity_id: 'mail', actor_id: ctx.config.ops.user, details: { method: 'PUT', status: answer.status } }]);
    await web.deps.queues.get('mail').resume();
  });
});
