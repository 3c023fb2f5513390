// Call-detail parsing (issue 12): a 1,000,000-row Dutch CDR file (UTF-8 BOM, ';', decimal
// comma, dd-mm-yyyy, hh:mm:ss) through the platform, from the first byte of the upload to
// `parsed`, beside a plain COPY of the same rows already normalised (ISO times, dot decimals)
// into the same partitioned table, in the same run. Prints both, the ratio (target ≤ 2.0) and
// the peak RSS of the web and invoices processes (target < 200 MB each: streamed, never held).
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { CALL_RECORD_COLUMNS } from '../workers/tem/copy-format.js';
import { makePartitions } from '../workers/tem/partitions.js';
import { buildPlatform, nodeArgsFrom, platformProcess } from './lib/compiled.js';
import { ADMIN_URL, HOST, REDIS_URL, createOrganization, databaseUrl, platformEnv, statusKib, table } from './lib/platform.js';
import { scratch } from './lib/scratch.js';
import { parsed, ready, upload } from './lib/tem-upload.js';

const ROWS = Number(process.env.BENCH_CDR_ROWS ?? 1_000_000);
/** The web process's port (BENCH_CDR_PORT: another benchmark may hold the default). */
const WEB_PORT = Number(process.env.BENCH_CDR_PORT ?? 3295);
const DB_NAME = process.env.BENCH_CDR_DATABASE ?? 'tgg_bench_cdr';
const PREFIX = `bench-cdr-${process.pid}`;
const TARGET_RATIO = 2.0;
const TARGET_RSS_MB = 200;
/** Node flags of the web and invoices processes. */
const NODE_ARGS = nodeArgsFrom('BENCH_CDR_NODE_ARGS');

const HEADER = 'Factuurnummer;Klantnummer;Kostenplaats;Gebruiker;Mobiel nummer;Datum;Starttijd;Gekozen nummer;Bestemming;Bezocht netwerk;Roaming;Verkeerssoort;Richting;Duur;Gefactureerde seconden;Volume (MB);Bundel;Bedrag excl. btw (EUR);Btw %';
const USERS = ['J. de Vries', 'A. Yılmaz', 'M. Jansen-Ökten', 'P. Bakker', 'S. de Jong'];
const TYPES = [['Spraak', 'voice'], ['SMS', 'sms'], ['Data', 'data']] as const;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The i-th call: 2,000 subscriptions, days of this month and the last, a few cents to tens of euros. */
function callAt(i: number, now: Date) {
  const back = i % 2;
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  const day = 1 + (i % (back === 0 ? Math.max(1, now.getUTCDate() - 1) : 28));
  const [dutchType, type] = TYPES[i % 3] ?? TYPES[0];
  const seconds = (i * 37) % 3600;
  const cents = (i * 7919) % 100_000;
  return {
    subscriber: 612_000_000 + (i % 2_000),
    user: USERS[i % USERS.length] ?? 'J. de Vries',
    hint: `KP-${4100 + (i % 5) * 100}`,
    y: month.getUTCFullYear(),
    m: month.getUTCMonth() + 1,
    d: day,
    time: `${pad(i % 24)}:${pad((i >> 3) % 60)}:${pad(i % 60)}`,
    dutchType,
    type,
    seconds: type === 'voice' ? seconds : null,
    megabytes: type === 'data' ? `${Math.floor(cents / 100)}.${pad(cents % 100, 3)}` : null,
    euros: `${Math.floor(cents / 100)}.${pad(cents % 100)}`,
    roaming: i % 50 === 0,
  };
}

const dutchDecimal = (text: string) => {
  const [whole = '0', fraction = ''] = text.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${fraction}`;
};

/** The carrier's export of `rows` calls, as the benchmark uploads it (also the parser's profiling input). */
export function* dutchLines(now: Date, rows = ROWS): Generator<string> {
  yield `\uFEFF${HEADER}\r\n`;
  let lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const c = callAt(i, now);
    const duration = c.seconds === null ? '' : `${pad(Math.floor(c.seconds / 3600))}:${pad(Math.floor(c.seconds / 60) % 60)}:${pad(c.seconds % 60)}`;
    lines.push(
      `000123456-000789;000123456;${c.hint};${c.user};0${c.subscriber};${pad(c.d)}-${pad(c.m)}-${c.y};${c.time};${c.type === 'data' ? '' : '0201234***'};Vast Nederland;${c.roaming ? 'BEL Proximus' : ''};${c.roaming ? 'J' : 'N'};${c.dutchType};${c.type === 'data' ? '' : 'Uitgaand'};${duration};${c.seconds ?? ''};${c.megabytes === null ? '' : dutchDecimal(c.megabytes)};Buiten bundel;${dutchDecimal(c.euros)};21\r\n`,
    );
    if (lines.length === 5_000) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('');
}

/** The same rows as COPY text, normalised: E.164, ISO local times, dot decimals, bytes. */
function* copyLines(now: Date, organizationId: string, uploadId: string): Generator<string> {
  let lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const c = callAt(i, now);
    const bytes = c.megabytes === null ? '\\N' : String(Math.round(Number(c.megabytes) * 1000) * 1000);
    lines.push(
      [organizationId, uploadId, i + 2, `+31${c.subscriber}`, c.user, `${c.y}-${pad(c.m)}-${pad(c.d)} ${c.time}`, c.type, c.type === 'data' ? '\\N' : 'outgoing', c.type === 'data' ? '\\N' : '0201234***', c.type === 'data' ? 'f' : 't',
        c.seconds ?? '\\N', c.seconds ?? '\\N', bytes, 'outside', c.euros, 'EUR', '21', c.roaming ? 't' : 'f', c.roaming ? 'BEL Proximus' : '\\N', c.hint].join('\t') + '\n',
    );
    if (lines.length === 5_000) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('');
}

async function plainCopy(url: string, organizationId: string, now: Date): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const start = performance.now();
    await client.query('BEGIN');
    await client.query(`SET LOCAL TimeZone = 'Europe/Amsterdam'`);
    const uploadId = randomUUID();
    await pipeline(Readable.from(copyLines(now, organizationId, uploadId)), client.query(copyFrom(`COPY call_records (${CALL_RECORD_COLUMNS.join(', ')}) FROM STDIN`)));
    await client.query('COMMIT');
    const ms = performance.now() - start;
    await client.query('DELETE FROM call_records WHERE upload_id = $1', [uploadId]);
    return ms;
  } finally {
    await client.end();
  }
}

export async function cdrBench(): Promise<void> {
  const children: ChildProcess[] = [];
  const file = join(tmpdir(), `bench-cdr-${process.pid}.csv`);
  await scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children }).run(async () => {
    try {
      const now = new Date();
      await pipeline(Readable.from(dutchLines(now)), createWriteStream(file));
      const env = platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: WEB_PORT });
      // Migrated and partitioned here, so the web process only has to start (a loaded machine takes long enough for that).
      const db = createDb(databaseUrl(DB_NAME), { max: 2 });
      await migrateToLatest(db);
      await makePartitions(db);
      buildPlatform('BENCH_CDR_BUILD');
      const web = platformProcess('web', env, NODE_ARGS);
      children.push(web);
      await ready(`http://${HOST}:${WEB_PORT}/healthz`, web);
      const worker = platformProcess('invoices', env, NODE_ARGS);
      children.push(worker);
      const key = await createOrganization(WEB_PORT, 'Benchmark BV');
      const org = await db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
      await db.destroy();

      const copyMs = await plainCopy(databaseUrl(DB_NAME), org.id, now);

      const rest = { web: statusKib('VmRSS', web.pid) / 1024, worker: statusKib('VmRSS', worker.pid) / 1024 };
      let peaks = { web: 0, worker: 0 };
      const sampler = setInterval(() => {
        peaks = { web: Math.max(peaks.web, statusKib('VmRSS', web.pid)), worker: Math.max(peaks.worker, statusKib('VmRSS', worker.pid)) };
      }, 100);
      const start = performance.now();
      const answer = await upload(WEB_PORT, file, key, 'text/csv');
      if (answer.status !== 202) throw new Error(`upload: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
      const uploadedMs = performance.now() - start;
      const result = await parsed(WEB_PORT, (JSON.parse(answer.body) as { id: string }).id, key);
      const platformMs = performance.now() - start;
      clearInterval(sampler);
      const webPeak = Math.max(peaks.web, statusKib('VmHWM', web.pid)) / 1024;
      const workerPeak = Math.max(peaks.worker, statusKib('VmHWM', worker.pid)) / 1024;
      const ratio = platformMs / copyMs;
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(`\nCDR: ${ROWS.toLocaleString('en')} rows, ${(statSync(file).size / 1e6).toFixed(0)} MB; ${result.status}, ${result.rowsStored.toLocaleString('en')} stored, ${result.rowsRefused} refused; node dist/main.js${NODE_ARGS.length > 0 ? ` with ${NODE_ARGS.join(' ')}` : ''}`);
      table([
        ['measure', 'platform', 'same-run baseline', 'target'],
        ['upload to parsed', seconds(platformMs), `plain COPY ${seconds(copyMs)}`, `ratio ${ratio.toFixed(2)} (≤ ${TARGET_RATIO}): ${ratio <= TARGET_RATIO ? 'met' : 'missed'}`],
        ['  of which the upload', seconds(uploadedMs), '', ''],
        ['web peak RSS', `${webPeak.toFixed(0)} MB`, `${rest.web.toFixed(0)} MB at rest`, `< ${TARGET_RSS_MB} MB: ${webPeak < TARGET_RSS_MB ? 'met' : 'missed'}`],
        ['invoices peak RSS', `${workerPeak.toFixed(0)} MB`, `${rest.worker.toFixed(0)} MB at rest`, `< ${TARGET_RSS_MB} MB: ${workerPeak < TARGET_RSS_MB ? 'met' : 'missed'}`],
      ]);
    } finally {
      rmSync(file, { force: true });
    }
  });
}
