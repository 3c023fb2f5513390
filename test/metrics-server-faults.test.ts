// /metrics of a process without the web role (workers/core/metrics-server.ts) when a collection
// fails: problem+json as the web answers, 503 with Retry-After when a dependency is away, a bare
// 500 for a bug, neither with the error's message (it was a plain-text 500 either way).
import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext } from './helpers/context.js';
import { basic } from './helpers/http.js';

const ctx = await createTestContext();
const ops = basic(ctx.config.ops.user, ctx.config.ops.password);

/** A gauge of this process that reads Postgres at scrape time, or fails as a bug would. */
function addGauge(worker: Runtime, name: string, collect: () => Promise<void>): void {
  new Gauge({ name, help: 'test', registers: [worker.deps.metrics.registry], collect });
}

async function scrape(worker: Runtime, authorization = ops) {
  const answer = await fetch(`http://127.0.0.1:${worker.port}/metrics`, { headers: { authorization } });
  return { status: answer.status, type: answer.headers.get('content-type'), retryAfter: answer.headers.get('retry-after'), body: await answer.text() };
}

describe('a worker’s /metrics when a collection fails', () => {
  it('Postgres away: 503 problem+json with Retry-After, naming no host', async () => {
    const worker = await ctx.start({ roles: ['sms'], config: ctx.configWith({ METRICS_PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tgg' }) });
    addGauge(worker, 'test_postgres_read', async () => void (await sql`SELECT 1`.execute(worker.deps.db)));
    const answer = await scrape(worker);
    expect([answer.status, answer.type, answer.retryAfter]).toEqual([503, 'application/problem+json; charset=utf-8', '5']);
    expect(JSON.parse(answer.body)).toMatchObject({ type: '/problems/unavailable', status: 503 });
    expect(answer.body).not.toMatch(/127\.0\.0\.1|ECONN/);
    expect(ctx.logs.some((l) => l.msg === 'metrics refused: a dependency is unavailable')).toBe(true);
    await worker.stop();
  });

  it('a bug: 500 problem+json without its message; refusals are problem+json too', async () => {
    const worker = await ctx.start({ roles: ['sms'], config: ctx.configWith({ METRICS_PORT: '0' }) });
    addGauge(worker, 'test_buggy', () => Promise.reject(new TypeError('a secret detail of ours')));
    const answer = await scrape(worker);
    expect([answer.status, answer.type]).toEqual([500, 'application/problem+json; charset=utf-8']);
    expect(JSON.parse(answer.body)).toMatchObject({ title: 'Internal Server Error', status: 500 });
    expect(answer.body).not.toContain('secret detail');
    const refused = await scrape(worker, basic('ops', 'wrong'));
    expect([refused.status, refused.type]).toEqual([401, 'application/problem+json; charset=utf-8']);
    await worker.stop();
  });
});
