// Every route answers 503 problem+json with Retry-After while Postgres or Redis cannot be
// reached, as a real server and a real client fail: a closed port, a role out of connections
// (53300), a server that never answers (the pool's connect timeout), a backend terminated
// mid-request (57P01), a database that is not there (3D000), Redis away. Never a 500, never a hang, never a host name in the answer;
// what was accepted while Redis is away is kept (its row) for the reconciler.
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineRoute } from '../api/route.js';
import type { Db } from '../db/database.js';
import { adminQuery, createTestContext, started } from './helpers/context.js';
import { caller, newOrganization, opsAuth, type Call } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';
import { expectUnavailable } from './helpers/unavailable.js';

// A route that holds a statement until the test terminates its backend.
const slow: { db?: Db } = {};
const ctx = await createTestContext();
const sleepRoute = defineRoute({
  method: 'get',
  path: '/test/sleep',
  summary: 'test',
  tags: ['test'],
  security: 'none',
  responses: { 200: { description: 'slept' } },
  handler: async () => {
    await sql`SELECT pg_sleep(30)`.execute(slow.db!);
    return { body: {} };
  },
});

const ops = opsAuth(ctx);
/** A token of the right shape: its lookup goes to Postgres. */
const someKey = `tgg_${'A'.repeat(43)}`;

/** Member, ops and Prometheus routes, each needing Postgres before it can answer. */
async function expectEveryKindUnavailable(call: Call): Promise<void> {
  const answers = await Promise.all([
    call('get', '/v1/sms/batches', { auth: someKey }),
    call('post', '/v1/sessions', { body: { organization: 'demo-organisation', username: 'someone', password: 'not-checked-at-all' } }),
    call('get', '/ops/outbox', { auth: ops }),
    call('get', '/metrics', { auth: ops }),
  ]);
  answers.forEach((answer, i) => expectUnavailable(answer, ['/v1/sms/batches', '/v1/sessions', '/ops/outbox', '/metrics'][i]));
}

/** The error the server really gave, as the error handler logged it (by kind and code only). */
const refusedWith = (kind: string) => ctx.logs.some((l) => l.msg === 'request refused: a dependency is unavailable' && l.error === kind);

const role = `tgg_test_role_${randomBytes(4).toString('hex')}`;
afterAll(() => adminQuery(`DROP ROLE IF EXISTS "${role}"`));

describe('Postgres cannot be reached', () => {
  it('a closed port: 503 on member, ops and metrics routes', async () => {
    const runtime = await ctx.start({ config: ctx.configWith({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tgg' }) });
    await expectEveryKindUnavailable(caller(runtime));
    await runtime.stop();
  });

  it('a database that is not there (3D000: dropped, or being restored): 503, as /readyz says', async () => {
    const url = new URL(ctx.config.databaseUrl);
    url.pathname = `/tgg_missing_${randomBytes(4).toString('hex')}`;
    const runtime = await ctx.start({ config: ctx.configWith({ DATABASE_URL: url.toString() }) });
    await expectEveryKindUnavailable(caller(runtime));
    expect(refusedWith('postgres error 3D000')).toBe(true);
    await runtime.stop();
  });

  it('out of connections (53300, as max_connections answers): 503', async () => {
    // The role's own limit: the same refusal the server gives at max_connections, without taking the shared server's connections.
    await adminQuery(`CREATE ROLE "${role}" LOGIN CONNECTION LIMIT 0`);
    const url = new URL(ctx.config.databaseUrl);
    url.username = role;
    const runtime = await ctx.start({ config: ctx.configWith({ DATABASE_URL: url.toString() }) });
    await expectEveryKindUnavailable(caller(runtime));
    expect(refusedWith('postgres error 53300')).toBe(true);
    await runtime.stop();
  });

  it('a server that never answers: 503 after the pool\'s connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const runtime = await ctx.start({ config: ctx.configWith({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/tgg` }) });
      await expectEveryKindUnavailable(caller(runtime));
      await runtime.stop();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);

  it('a backend terminated mid-request (57P01): 503', async () => {
    // Its statement outlives the web's statement timeout (57014) however slowly the test finds it.
    const runtime = await ctx.start({ app: { routes: [sleepRoute] }, config: ctx.configWith({ DB_STATEMENT_TIMEOUT_MS: '60000' }) });
    slow.db = runtime.deps.db;
    const answer = caller(runtime)('get', '/test/sleep');
    await expect
      .poll(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(%'`.execute(ctx.db)).rows[0]?.n)
      .toBe(1);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(%'`.execute(ctx.db);
    expectUnavailable(await answer, '/test/sleep');
    expect(refusedWith('postgres error 57P01')).toBe(true);
  });
});

describe('Redis cannot be reached', () => {
  const withoutRedis = () => ctx.start({ config: ctx.configWith({ REDIS_URL: 'redis://127.0.0.1:1' }), waitForRedisMs: 100 });

  it('/metrics answers at once, saying so in tgg_redis_up (it waited for Redis for ever)', async () => {
    const runtime = await withoutRedis();
    const answer = await caller(runtime)<string>('get', '/metrics', { auth: ops, signal: AbortSignal.timeout(3_000) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^tgg_redis_up 0$/m);
    await runtime.stop();
  });

  it('/metrics answers without the queues when Redis holds the connection but does not answer (a partition)', async () => {
    const runtime = await started(await ctx.start({}));
    const hung = vi.spyOn(runtime.deps.queues.get('sms'), 'getJobCounts').mockReturnValue(new Promise(() => undefined));
    try {
      const answer = await caller(runtime)<string>('get', '/metrics', { auth: ops, signal: AbortSignal.timeout(5_000) });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/^tgg_redis_up 0$/m);
    } finally {
      hung.mockRestore();
    }
  });

  it('the dashboard answers 503 at once (its API waited for Redis for ever)', async () => {
    const runtime = await withoutRedis();
    const answer = await caller(runtime)('get', '/ops/queues/api/queues', { auth: ops, signal: AbortSignal.timeout(3_000) });
    expectUnavailable(answer, '/ops/queues/api/queues');
    await runtime.stop();
  });

  it('a batch accepted while Redis is away is kept for the reconciler', async () => {
    const up = await started(await ctx.start({}));
    const org = await newOrganization(caller(up), ctx, 'Accepted Without Redis');
    const runtime = await withoutRedis();
    const answer = await caller(runtime)<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'TGG', body: 'Hallo', recipients: [{ phone: mobile(1) }] } });
    expect(answer.status).toBe(202);
    const row = await ctx.db.selectFrom('sms_batches').select('id').where('id', '=', answer.body.id).executeTakeFirst();
    expect(row?.id).toBe(answer.body.id);
    await runtime.stop();
  });
});

describe('the dashboard\'s errors', () => {
  it('go to the one error mapper: 503 for Redis lost mid-request, a bare 500 for a bug, neither with the error\'s message', async () => {
    const runtime = await started(await ctx.start({}));
    const queue = runtime.deps.queues.get('sms');
    const lost = Object.assign(new Error('read ECONNRESET redis.internal:6379'), { code: 'ECONNRESET' });
    const counts = vi.spyOn(queue, 'getJobCounts').mockRejectedValueOnce(lost).mockRejectedValueOnce(new TypeError('a secret detail of ours'));
    try {
      const call = caller(runtime);
      expectUnavailable(await call('get', '/ops/queues/api/queues', { auth: ops }), 'Redis lost');
      const bug = await call('get', '/ops/queues/api/queues', { auth: ops });
      expect([bug.status, bug.headers.get('content-type')]).toEqual([500, 'application/problem+json; charset=utf-8']);
      expect(JSON.stringify(bug.body)).not.toMatch(/secret detail|redis\.internal|at \w/);
    } finally {
      counts.mockRestore();
    }
  });
});
