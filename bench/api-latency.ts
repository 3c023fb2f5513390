// API latency at a constant 500 requests/s (ARCHITECTURE.md: p99 under 50 ms against `web`),
// beside a bare node:http server answering the same JSON, measured in the same run.
// Its own database (dropped and recreated, dropped at the end) and queue prefix, loopback only.
import type { ChildProcess } from 'node:child_process';
import { constantRate, type LoadResult } from './lib/load.js';
import { ADMIN_URL, HOST, OPS_AUTHORIZATION, REDIS_URL, platformEnv } from './lib/platform.js';
import { startProcess } from './lib/processes.js';
import { scratch } from './lib/scratch.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WEB_PORT = 3291;
const BARE_PORT = 3292;
const DB_NAME = process.env.BENCH_API_DATABASE ?? 'tgg_bench_api';
const PREFIX = `bench-api-${process.pid}`;

const BARE_SERVER = `
const body = JSON.stringify({ status: 'ok' });
require('node:http').createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(body); }).listen(${BARE_PORT});
`;

const children: ChildProcess[] = [];
const { run } = scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children });

function row(name: string, r: LoadResult): string {
  return `${name.padEnd(34)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.max.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`;
}

export async function apiLatency(): Promise<void> {
  await run(async () => {
    children.push(
      await startProcess(
        'node',
        ['--import', 'tsx', 'main.ts', '--role', 'web', '--migrate'],
        platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: WEB_PORT }),
        `http://${HOST}:${WEB_PORT}/healthz`,
      ),
    );
    children.push(await startProcess('node', ['-e', BARE_SERVER], {}, `http://${HOST}:${BARE_PORT}/`));
    const ops = { authorization: OPS_AUTHORIZATION };
    const results: Array<[string, LoadResult]> = [];
    results.push(['baseline: bare node:http', await constantRate(`http://${HOST}:${BARE_PORT}/`, RATE, SECONDS)]);
    results.push(['web GET /healthz', await constantRate(`http://${HOST}:${WEB_PORT}/healthz`, RATE, SECONDS)]);
    results.push(['web GET /readyz (Postgres + Redis)', await constantRate(`http://${HOST}:${WEB_PORT}/readyz`, RATE, SECONDS)]);
    results.push(['web GET /ops/outbox (auth + query)', await constantRate(`http://${HOST}:${WEB_PORT}/ops/outbox?limit=20`, RATE, SECONDS, ops)]);
    console.log(`\nAPI latency at ${RATE} requests/s for ${SECONDS} s each (ms; target p99 < 50)`);
    console.log(`${'target'.padEnd(34)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'errors'.padStart(7)}`);
    for (const [name, result] of results) console.log(row(name, result));
  });
}
