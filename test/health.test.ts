import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';

const ctx = await createTestContext();

describe('health', () => {
  it('answers /healthz and /readyz when Postgres and Redis are up', async () => {
    const runtime = await ctx.start({ roles: ['web'] });
    expect(await (await fetch(`${baseUrl(runtime)}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${baseUrl(runtime)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('answers 503 naming Redis when Redis is unreachable', async () => {
    const runtime = await ctx.start({ roles: ['web'], config: ctx.configWith({ REDIS_URL: 'redis://127.0.0.1:1' }), waitForRedisMs: 100 });
    const ready = await fetch(`${baseUrl(runtime)}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } });
    await runtime.stop();
  });

  it('keeps running when Postgres closes its idle connections, and is ready again at once', async () => {
    const runtime = await ctx.start({ roles: ['web'] });
    expect((await fetch(`${baseUrl(runtime)}/readyz`)).status).toBe(200);
    // What a Postgres restart or an administrator does to the pool's idle connections.
    const closed = await sql<{ pid: number }>`
      SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'tgg-web'`.execute(ctx.db);
    expect(closed.rows.length).toBeGreaterThan(0);
    // Once the pool has seen each connection end (its log line), not after a fixed wait a loaded machine can outlast.
    await expect.poll(() => ctx.logs.filter((l) => l.msg === 'idle Postgres connection closed' && l.code === '57P01').length, { timeout: 10_000 }).toBe(closed.rows.length);
    const ready = await fetch(`${baseUrl(runtime)}/readyz`);
    expect(ready.status).toBe(200);
  });
});
