// API latency at a constant 500 requests/s (ARCHITECTURE.md, issue 17: p99 under 50 ms and no
// errors against `web` alone), beside a bare node:http server answering the same JSON, measured in
// the same run: the cheap routes, then the three that do real work (an SMS batch of 10 recipients,
// a subscriber import, a month's cost report over 100,000 parsed call records).
// Its own database (dropped and recreated, dropped at the end) and queue prefix, loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import type pg from 'pg';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDb } from '../db/database.js';
import { costReportOfEveryRow } from '../test/helpers/cost-report-oracle.js';
import { costReport } from '../workers/tem/cost-report.js';
import { cpuMeter, type CpuSpent } from './lib/cpu.js';
import { invoiceMonthTimes } from './lib/invoice-months.js';
import { dutchLines } from './cdr.js';
import { buildPlatform, compiledArgs, nodeArgsFrom } from './lib/compiled.js';
import { constantRate, type LoadRequest, type LoadResult } from './lib/load.js';
import { ADMIN_URL, HOST, OPS_AUTHORIZATION, REDIS_URL, createOrganization, databaseUrl, phoneAt, platformEnv } from './lib/platform.js';
import { startProcess } from './lib/processes.js';
import { admin, scratch } from './lib/scratch.js';
import { parsed, upload } from './lib/tem-upload.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
/** Seconds at the same rate before each measured run, not counted: a fresh process runs the route's code interpreted at first (bench/JOURNAL.md). Printed apart. */
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 5);
const CALL_RECORDS = 100_000;
/** Invoice lines kept over 84 months for the report's invoice part (bench/lib/invoice-months.ts); 0: none. */
const INVOICE_LINES = Number(process.env.BENCH_API_INVOICE_LINES ?? 0);
const WEB_PORT = Number(process.env.BENCH_API_PORT ?? 3291);
const BARE_PORT = WEB_PORT + 1;
const NODE_ARGS = nodeArgsFrom('BENCH_API_NODE_ARGS');
/** BENCH_API_ROUTES picks the measured parts by name (e.g. `sms,costs`); all by default. */
const ROUTES = (process.env.BENCH_API_ROUTES ?? 'cheap,sms,subscribers,costs').split(',');
const wants = (part: string): boolean => ROUTES.includes(part);
const DB_NAME = process.env.BENCH_API_DATABASE ?? 'tgg_bench_api';
const PREFIX = `${process.env.BENCH_API_PREFIX ?? 'bench-api'}-${process.pid}`;

const BARE_SERVER = `
const body = JSON.stringify({ status: 'ok' });
require('node:http').createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(body); }).listen(${BARE_PORT});
`;

const children: ChildProcess[] = [];
const { run } = scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children });

interface Measured {
  readonly warmUp?: LoadResult;
  readonly result: LoadResult;
  /** CPU of the measured run (not the warm-up): the web process, its database's backends, and this process (the load generator), in seconds. */
  readonly cpu?: CpuSpent & { readonly generator: number };
}

/** What the measured run's CPU is read from: the web's pid, a connection that lists the database's backends. */
interface Meter {
  readonly webPid: number | undefined;
  readonly client: pg.Client;
}

/** WARM_UP_SECONDS at RATE (kept apart), then SECONDS at RATE: the figure, with its CPU when `meter` is given. */
async function measure(url: string, headers?: Record<string, string>, send?: LoadRequest, meter?: Meter): Promise<Measured> {
  const warmUp = WARM_UP_SECONDS > 0 ? await constantRate(url, RATE, WARM_UP_SECONDS, headers, send) : undefined;
  const spent = meter ? await cpuMeter(meter.client, DB_NAME, meter.webPid) : undefined;
  const generator = process.cpuUsage();
  const result = await constantRate(url, RATE, SECONDS, headers, send, warmUp?.sent ?? 0);
  const own = process.cpuUsage(generator);
  const cpu = spent ? { ...(await spent()), generator: (own.user + own.system) / 1e6 } : undefined;
  return { warmUp, result, cpu };
}

/** CPU ms per request of the measured run: web, Postgres, load generator. */
function perRequest(m: Measured): string {
  if (!m.cpu) return '';
  const ms = (seconds: number) => ((seconds * 1000) / m.result.sent).toFixed(2).padStart(5);
  return `${ms(m.cpu.process)} ${ms(m.cpu.postgres)} ${ms(m.cpu.generator)} ${m.result.lateP99.toFixed(1).padStart(6)}`;
}

const figures = (r: LoadResult | undefined): string =>
  r ? `${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.max.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}` : '';

function row(name: string, m: Measured): string {
  return `${name.padEnd(40)} ${figures(m.result)}   ${perRequest(m).padEnd(24)}   ${m.warmUp ? `         ${figures(m.warmUp)}` : ''}`;
}

export async function apiLatency(): Promise<void> {
  buildPlatform('BENCH_API_BUILD');
  await run(async () => {
    // One API key takes the whole load: the per-key limit (6,000 a minute by default) would answer 429.
    const env = platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: WEB_PORT }, { API_RATE_LIMIT: '100000000' });
    const web = `http://${HOST}:${WEB_PORT}`;
    const webProcess = await startProcess('node', compiledArgs(NODE_ARGS, 'web', '--migrate'), env, `${web}/healthz`);
    children.push(webProcess);
    // The invoices worker parses the call records the cost report reads; it does not run while the web process is measured.
    const invoices = spawn('node', compiledArgs(NODE_ARGS, 'invoices'), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(invoices);
    const bare = await startProcess('node', ['-e', BARE_SERVER], {}, `http://${HOST}:${BARE_PORT}/`);
    children.push(bare);
    const key = await createOrganization(WEB_PORT, 'Benchmark BV');
    const bearer = { authorization: `Bearer ${key}` };
    const period = wants('costs') ? await seedCallRecords(key) : '';
    invoices.kill('SIGTERM');
    const queryTimes = wants('costs') ? await reportQueryTimes(period) : '';
    const listId = await createList(key);

    const ops = { authorization: OPS_AUTHORIZATION };
    const sms = { method: 'POST', body: (i: number) => JSON.stringify({ sender: 'TGG', body: 'Uw afspraak is morgen om 10:00.', recipients: Array.from({ length: 10 }, (_, r) => ({ phone: phoneAt(i * 10 + r, 0) })) }) } as const;
    const subscribers = { method: 'POST', body: (i: number) => JSON.stringify({ basis: 'consent', subscribers: [{ email: `lid${i}@example.nl`, name: 'Lid' }] }) } as const;
    const results: Array<[string, Measured]> = [];
    // Each measured run's CPU per request beside its latency: the web's (the bare server's on its row), its database's backends', the load generator's.
    await admin(ADMIN_URL, async (client) => {
      const meter = { webPid: webProcess.pid, client };
      results.push(['baseline: bare node:http', await measure(`http://${HOST}:${BARE_PORT}/`, undefined, undefined, { webPid: bare.pid, client })]);
      if (wants('cheap')) {
        results.push(['web GET /healthz', await measure(`${web}/healthz`, undefined, undefined, meter)]);
        results.push(['web GET /readyz (Postgres + Redis)', await measure(`${web}/readyz`, undefined, undefined, meter)]);
        results.push(['web GET /ops/outbox (auth + query)', await measure(`${web}/ops/outbox?limit=20`, ops, undefined, meter)]);
      }
      if (wants('sms')) results.push(['web POST /v1/sms/batches (10)', await measure(`${web}/v1/sms/batches`, bearer, sms, meter)]);
      if (wants('subscribers')) results.push(['web POST /v1/lists/{id}/subscribers', await measure(`${web}/v1/lists/${listId}/subscribers`, bearer, subscribers, meter)]);
      if (wants('costs')) results.push([`web GET /v1/reports/costs (${CALL_RECORDS / 1000}k rows)`, await measure(`${web}/v1/reports/costs?period=${period}`, bearer, undefined, meter)]);
    });
    console.log(`\nAPI latency at ${RATE} requests/s for ${SECONDS} s each after ${WARM_UP_SECONDS} s of warm-up at the same rate (ms, from when each request was due; target p99 < 50, no errors; then CPU ms per request of the measured run: the web process (the bare server on its row), its database's backends, this load generator; then the p99 of how late the generator sent a request after it was due, which the latency includes; the warm-up's own figures on the right)`);
    const heads = `${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'errors'.padStart(7)}`;
    console.log(`${'target'.padEnd(40)} ${heads}   ${'cpu: web    pg   gen  late'.padEnd(24)}   ${WARM_UP_SECONDS > 0 ? `warm-up: ${heads}` : ''}`);
    for (const [name, result] of results) console.log(row(name, result));
    if (queryTimes) console.log(`\n${queryTimes}`);
  });
}

/** Uploads a carrier export of CALL_RECORDS calls and waits for its parse; answers the month the report reads. */
async function seedCallRecords(key: string): Promise<string> {
  const now = new Date();
  const file = join(tmpdir(), `bench-api-cdr-${process.pid}.csv`);
  try {
    await pipeline(Readable.from(dutchLines(now, CALL_RECORDS)), createWriteStream(file));
    const answer = await upload(WEB_PORT, file, key, 'text/csv');
    if (answer.status !== 202) throw new Error(`CDR upload: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
    const result = await parsed(WEB_PORT, (JSON.parse(answer.body) as { id: string }).id, key);
    if (result.status !== 'parsed') throw new Error(`CDR upload ended ${result.status}`);
  } finally {
    await rm(file, { force: true });
  }
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
}

const QUERY_RUNS = 7;

/** The report's query alone, by cost centre from both sources, median of QUERY_RUNS: from the rollup, and (baseline) from every row as before issue 17. */
async function reportQueryTimes(period: string): Promise<string> {
  const db = createDb(databaseUrl(DB_NAME), { max: 1 });
  try {
    const { organization_id: organizationId } = await db.selectFrom('tem_uploads').select('organization_id').executeTakeFirstOrThrow();
    const median = async (query: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < QUERY_RUNS; i++) {
        const start = performance.now();
        await query();
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[Math.floor(QUERY_RUNS / 2)] ?? Number.NaN;
    };
    const everyRow = await median(() => costReportOfEveryRow(db, organizationId, period, 'costCentre'));
    const rollup = await median(() => costReport(db, organizationId, period, 'costCentre'));
    const rows = await db.selectFrom('tem_cost_rollup').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).where('month', '=', sql<Date>`${`${period}-01`}::date`).executeTakeFirstOrThrow();
    const calls = `report query of ${period} (median of ${QUERY_RUNS}): from the rollup (${rows.n} rows) ${rollup.toFixed(1)} ms; baseline, from every call record as before: ${everyRow.toFixed(1)} ms`;
    return INVOICE_LINES > 0 ? `${calls}\n${await invoiceMonthTimes(db, organizationId, period, INVOICE_LINES)}` : calls;
  } finally {
    await db.destroy();
  }
}

async function createList(key: string): Promise<string> {
  const res = await fetch(`http://${HOST}:${WEB_PORT}/v1/lists`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Nieuwsbrief', description: null }) });
  if (res.status !== 201) throw new Error(`create list: HTTP ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}
