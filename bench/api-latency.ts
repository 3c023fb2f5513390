// API latency at a constant 500 requests/s (REQUIREMENTS: p99 under 50 ms against `web`),
// beside a bare node:http server answering the same JSON, measured in the same run.
import { constantRate, type LoadResult } from './lib/load.js';
import { startProcess, stopProcess } from './lib/processes.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WEB_PORT = 3291;
const BARE_PORT = 3292;

const BARE_SERVER = `
const body = JSON.stringify({ status: 'ok' });
require('node:http').createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(body); }).listen(${BARE_PORT});
`;

function row(name: string, r: LoadResult): string {
  return `${name.padEnd(34)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.max.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`;
}

export async function apiLatency(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tgg_bench';
  const web = await startProcess(
    'node',
    ['--import', 'tsx', 'workers/main.ts', '--role', 'web', '--migrate'],
    { DATABASE_URL: databaseUrl, QUEUE_PREFIX: 'bench', PORT: String(WEB_PORT), LOG_LEVEL: 'warn', NODE_ENV: 'development' },
    `http://127.0.0.1:${WEB_PORT}/healthz`,
  );
  const bare = await startProcess('node', ['-e', BARE_SERVER], {}, `http://127.0.0.1:${BARE_PORT}/`);
  try {
    const ops = { authorization: `Basic ${Buffer.from('ops:ops-dev-password').toString('base64')}` };
    const results: Array<[string, LoadResult]> = [];
    results.push(['baseline: bare node:http', await constantRate(`http://127.0.0.1:${BARE_PORT}/`, RATE, SECONDS)]);
    results.push(['web GET /healthz', await constantRate(`http://127.0.0.1:${WEB_PORT}/healthz`, RATE, SECONDS)]);
    results.push(['web GET /readyz (Postgres + Redis)', await constantRate(`http://127.0.0.1:${WEB_PORT}/readyz`, RATE, SECONDS)]);
    results.push(['web GET /ops/outbox (auth + query)', await constantRate(`http://127.0.0.1:${WEB_PORT}/ops/outbox?limit=20`, RATE, SECONDS, ops)]);
    console.log(`\nAPI latency at ${RATE} requests/s for ${SECONDS} s each (ms; target p99 < 50)`);
    console.log(`${'target'.padEnd(34)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'errors'.padStart(7)}`);
    for (const [name, result] of results) console.log(row(name, result));
  } finally {
    await stopProcess(web);
    await stopProcess(bare);
  }
}
