// SMS intake and sending (ARCHITECTURE.md, "The numbers"), each figure beside
// a floor measured in the same run:
//   1. a 100,000-recipient JSON batch accepted (target < 3 s) vs a bare node:http server that
//      reads and JSON.parses the same body;
//   2. a 1,000,000-row CSV streamed in (time and the web process's peak RSS) vs a plain COPY
//      of the same rows into a scratch copy of sms_outbox;
//   3. GET /v1/sms/batches/{id} on the 1,000,000-message batch vs the COUNT(*) per status it
//      used to run (same batch, same run);
//   4. all-in-one intake: with every role in one process, a 100,000-recipient JSON batch
//      accepted (median of three in a row) while the batch before is being sent, vs --role web;
//   5. the outbox send rate of `--role sms` vs raw unnest INSERTs of 200 rows into sms_outbox.
// BENCH_SMS_PARTS (json,csv,allinone,send; all by default) picks some. BENCH_SMS_RESTRICTIONS=N
// stores N privacy restrictions (of no recipient) first: then every intake hashes each number
// and address and looks them up, as it does in production, where some restriction always exists.
// The platform runs compiled, as the Procfile runs it (BENCH_SMS_BUILD=false reuses dist/;
// BENCH_SMS_NODE_ARGS passes node flags), as child processes against its own database (dropped and recreated at
// start, dropped at the end) and its own queue prefix; everything talks over 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Queue } from 'bullmq';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ADMIN_URL, HOST, REDIS_URL, TEMPLATE, createOrganization, databaseUrl, nameAt, phoneAt, platformEnv, statusKib, table } from './lib/platform.js';
import { buildPlatform, compiledArgs, nodeArgsFrom } from './lib/compiled.js';
import { startProcess, stopProcess } from './lib/processes.js';
import { scratch } from './lib/scratch.js';
import { cpuMeter, type CpuSpent } from './lib/cpu.js';

const JSON_RECIPIENTS = 100_000;
const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const RUNS = 3;
const TARGET_JSON_MS = 3_000;
const TARGET_RSS_MB = 256;
const STRETCH_COPY_RATIO = 4;
const GETS = 21;
const PARTS = new Set((process.env.BENCH_SMS_PARTS ?? 'json,csv,allinone,send').split(','));
/** BENCH_SMS_PORT moves the three loopback ports (web, bare, all-in-one), when another bench holds them. */
const WEB_PORT = Number(process.env.BENCH_SMS_PORT ?? 3293);
const BARE_PORT = WEB_PORT + 1;
const ALL_PORT = WEB_PORT + 2;
const DB_NAME = process.env.BENCH_SMS_DATABASE ?? 'tgg_bench_sms';
const RESTRICTIONS = Number(process.env.BENCH_SMS_RESTRICTIONS ?? 0);
const PREFIX = `bench-sms-${process.pid}`;
const INSERT_WINDOW = 200;
const SEND_TIMEOUT_MS = 180_000;

const SENDER = 'TGG';
const NODE_ARGS = nodeArgsFrom('BENCH_SMS_NODE_ARGS');

const textAt = (i: number): string => TEMPLATE.replace('{{naam}}', nameAt(i));

// ---------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

/** One POST; the time runs from the first byte sent to the last byte of the answer. */
function post(path: string, port: number, headers: Record<string, string>, body: string | Readable): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({ host: HOST, port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - start }));
    });
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else pipeline(body, req).catch(reject);
  });
}

function expectStatus(what: string, answer: Answer, status: number): void {
  if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} (expected ${status}): ${answer.body.slice(0, 500)}`);
}

// A bare node:http server that reads the body and JSON.parses it: the transport + parse floor.
const BARE_SERVER = `
require('node:http').createServer((req, res) => {
  if (req.method !== 'POST') return res.end('ok');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.statusCode = 202;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ accepted: body.recipients.length }));
  });
}).listen(${BARE_PORT}, '${HOST}');
`;

function jsonBatch(count: number, offset: number): string {
  const recipients = Array.from({ length: count }, (_, i) => ({ phone: phoneAt(i, offset), fields: { naam: nameAt(i) } }));
  return JSON.stringify({ sender: SENDER, body: TEMPLATE, recipients });
}

const jsonHeaders = (apiKey: string | null, body: string): Record<string, string> => ({
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(body)),
  ...(apiKey && { authorization: `Bearer ${apiKey}` }),
});

/** multipart/form-data with sender and body, then the CSV as `file`, generated as it is sent. */
function multipartCsv(rows: number, offset: number, boundary: string): Readable {
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  function* parts(): Generator<Buffer> {
    yield Buffer.from(
      field('sender', SENDER) +
        field('body', TEMPLATE) +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="recipients.csv"\r\nContent-Type: text/csv\r\n\r\nphone,naam\n`,
    );
    for (let start = 0; start < rows; start += 5_000) {
      let chunk = '';
      for (let i = start; i < Math.min(rows, start + 5_000); i++) chunk += `${phoneAt(i, offset)},${nameAt(i)}\n`;
      yield Buffer.from(chunk);
    }
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return Readable.from(parts(), { objectMode: false });
}

/** The same rows as COPY text: message_id, sender, recipient, text, encoding, segments. */
function copyRows(rows: number, offset: number): Readable {
  function* lines(): Generator<Buffer> {
    for (let start = 0; start < rows; start += 5_000) {
      let chunk = '';
      for (let i = start; i < Math.min(rows, start + 5_000); i++) chunk += `${i + 1}\t${SENDER}\t${phoneAt(i, offset)}\t${textAt(i)}\tgsm7\t1\n`;
      yield Buffer.from(chunk);
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

// ---------------------------------------------------------------------------------------------
// Processes, database, Redis

const children: ChildProcess[] = [];

const webEnv = (): Record<string, string> => platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: WEB_PORT });

async function startWeb(): Promise<ChildProcess> {
  const web = await startProcess('node', compiledArgs(NODE_ARGS, 'web', '--migrate'), webEnv(), `http://${HOST}:${WEB_PORT}/healthz`);
  children.push(web);
  return web;
}

function startSmsWorkers(): ChildProcess {
  const child = spawn('node', compiledArgs(NODE_ARGS, 'sms'), { env: { ...process.env, ...webEnv() }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

const { run } = scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children });

// ---------------------------------------------------------------------------------------------
// The three measurements

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface JsonResult {
  readonly platform: number[];
  /** The web process's CPU and its database's during each of them. */
  readonly cpu: CpuSpent[];
  readonly bare: number[];
  readonly bytes: number;
  readonly rejected: number;
}

const cpuText = (cpu: CpuSpent): string => `CPU ${cpu.process.toFixed(2)} s, Postgres ${cpu.postgres.toFixed(2)} s`;
const cpuMedians = (cpu: readonly CpuSpent[]): CpuSpent => ({ process: median(cpu.map((c) => c.process)), postgres: median(cpu.map((c) => c.postgres)) });

/** A database client of the benchmark's own, for `use`. */
async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function measureJson(apiKey: string, web: ChildProcess): Promise<JsonResult> {
  const warmup = jsonBatch(1_000, 7);
  expectStatus('warm-up batch', await post('/v1/sms/batches', WEB_PORT, jsonHeaders(apiKey, warmup), warmup), 202);
  await post('/', BARE_PORT, jsonHeaders(null, warmup), warmup);
  const platform: number[] = [];
  const cpu: CpuSpent[] = [];
  const bare: number[] = [];
  let bytes = 0;
  let rejected = 0;
  await withClient(async (client) => {
    for (let run = 0; run < RUNS; run++) {
      const body = jsonBatch(JSON_RECIPIENTS, 1_000_003 * (run + 1));
      bytes = Buffer.byteLength(body);
      const floor = await post('/', BARE_PORT, jsonHeaders(null, body), body);
      expectStatus('bare server', floor, 202);
      bare.push(floor.ms);
      const spent = await cpuMeter(client, DB_NAME, web.pid);
      const answer = await post('/v1/sms/batches', WEB_PORT, jsonHeaders(apiKey, body), body);
      cpu.push(await spent());
      expectStatus('JSON batch', answer, 202);
      const batch = JSON.parse(answer.body) as { accepted: number; rejected: number };
      if (batch.accepted + batch.rejected !== JSON_RECIPIENTS) throw new Error(`JSON batch: ${batch.accepted} accepted + ${batch.rejected} rejected`);
      rejected += batch.rejected;
      platform.push(answer.ms);
      console.log(`  json run ${run + 1}: platform ${seconds(answer.ms)} (${cpuText(cpu[run] ?? { process: 0, postgres: 0 })}), bare ${seconds(floor.ms)}`);
    }
  });
  return { platform, cpu, bare, bytes, rejected };
}

interface CsvResult {
  readonly id: string;
  readonly ms: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  readonly peakResetWorked: boolean;
  readonly copyMs: number;
}

async function measureCsv(apiKey: string, web: ChildProcess): Promise<CsvResult> {
  const pid = web.pid ?? 0;
  // Writing 5 to clear_refs resets VmHWM to the current RSS, so the peak is this upload's.
  let peakResetWorked = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    peakResetWorked = false;
  }
  const rssBeforeMb = statusKib('VmRSS', pid) / 1024;
  let sampledPeak = 0;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, statusKib('VmRSS', pid))), 100);
  const boundary = `----tgg-bench-${Date.now()}`;
  let answer: Answer;
  try {
    answer = await post('/v1/sms/batches/csv', WEB_PORT, { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${apiKey}` }, multipartCsv(CSV_ROWS, 31, boundary));
  } finally {
    clearInterval(sampler);
  }
  const peakRssMb = Math.max(statusKib('VmHWM', pid), sampledPeak) / 1024;
  expectStatus('CSV batch', answer, 202);
  const batch = JSON.parse(answer.body) as { id: string; accepted: number; rejected: number };
  console.log(`  csv: platform ${seconds(answer.ms)} (${batch.accepted} accepted, ${batch.rejected} rejected), peak RSS ${peakRssMb.toFixed(0)} MB`);

  // The floor: COPY of the same numbers into a scratch copy of sms_outbox, indexes and all.
  const client = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
  await client.connect();
  let copyMs: number;
  try {
    await client.query('CREATE TABLE bench_copy_outbox (LIKE sms_outbox INCLUDING ALL)');
    const start = performance.now();
    await pipeline(copyRows(CSV_ROWS, 31), client.query(copyFrom('COPY bench_copy_outbox (message_id, sender, recipient, text, encoding, segments) FROM STDIN')));
    copyMs = performance.now() - start;
    await client.query('DROP TABLE bench_copy_outbox');
  } finally {
    await client.end();
  }
  console.log(`  csv: COPY baseline ${seconds(copyMs)}`);
  return { id: batch.id, ms: answer.ms, accepted: batch.accepted, rejected: batch.rejected, rssBeforeMb, peakRssMb, peakResetWorked, copyMs };
}

interface GetResult {
  readonly ms: number;
  readonly countMs: number;
}

/** Median of GETs of the batch, beside the COUNT(*) per status over its messages it used to run. */
async function measureGet(apiKey: string, batchId: string): Promise<GetResult> {
  const gets: number[] = [];
  for (let i = 0; i < GETS; i++) {
    const start = performance.now();
    const res = await fetch(`http://${HOST}:${WEB_PORT}/v1/sms/batches/${batchId}`, { headers: { authorization: `Bearer ${apiKey}` } });
    await res.text();
    if (res.status !== 200) throw new Error(`GET batch: HTTP ${res.status}`);
    gets.push(performance.now() - start);
  }
  const client = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
  await client.connect();
  const counts: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      await client.query('SELECT status, count(*) FROM sms_messages WHERE batch_id = $1 GROUP BY status', [batchId]);
      counts.push(performance.now() - start);
    }
  } finally {
    await client.end();
  }
  const result = { ms: median(gets), countMs: median(counts) };
  console.log(`  get: GET /v1/sms/batches/{id} ${result.ms.toFixed(1)} ms (median of ${GETS}); COUNT(*) per status ${result.countMs.toFixed(0)} ms`);
  return result;
}

interface AllInOneResult {
  readonly times: number[];
  /** The process's CPU and its database's while each was taken in: more than --role web's is the sending's. */
  readonly cpu: CpuSpent[];
}

/**
 * Every role in one process (`main.ts --role all`, provider outbox): a batch is submitted and
 * being sent, then three more are submitted in a row, each timed; each is sent in its turn.
 */
async function measureAllInOne(): Promise<AllInOneResult> {
  const all = await startProcess('node', compiledArgs(NODE_ARGS, 'all'), platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: ALL_PORT }), `http://${HOST}:${ALL_PORT}/healthz`, 120_000);
  children.push(all);
  const apiKey = await createOrganization(ALL_PORT, 'All-in-one organisation');
  const ids: string[] = [];
  try {
    const first = jsonBatch(JSON_RECIPIENTS, 3_333_333);
    const sending = await post('/v1/sms/batches', ALL_PORT, jsonHeaders(apiKey, first), first);
    expectStatus('all-in-one: the batch being sent', sending, 202);
    ids.push((JSON.parse(sending.body) as { id: string }).id);
    // Let sending get going before the timed batches arrive.
    await new Promise((r) => setTimeout(r, 1_000));
    return await withClient(async (client) => {
      const result: AllInOneResult = { times: [], cpu: [] };
      for (let run = 0; run < RUNS; run++) {
        const body = jsonBatch(JSON_RECIPIENTS, 4_000_037 * (run + 1));
        const spent = await cpuMeter(client, DB_NAME, all.pid);
        const answer = await post('/v1/sms/batches', ALL_PORT, jsonHeaders(apiKey, body), body);
        const cpu = await spent();
        expectStatus('all-in-one JSON batch', answer, 202);
        ids.push((JSON.parse(answer.body) as { id: string }).id);
        result.times.push(answer.ms);
        result.cpu.push(cpu);
        console.log(`  all-in-one run ${run + 1}: ${seconds(answer.ms)} while sending (${cpuText(cpu)})`);
      }
      return result;
    });
  } finally {
    // What is left unsent must not be sent by the send measurement below.
    for (const id of ids) await fetch(`http://${HOST}:${ALL_PORT}/v1/sms/batches/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    await stopProcess(all, 20_000);
  }
}

interface SendResult {
  readonly sent: number;
  readonly sendMs: number;
  readonly wallMs: number;
  readonly sequentialMs: number;
  readonly parallelMs: number;
}

/** Raw unnest INSERTs of the provider's shape, `parallel` connections taking windows in turn. */
async function rawInserts(rows: number, offset: number, parallel: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: parallel }, async () => {
      const c = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
      await c.connect();
      return c;
    }),
  );
  try {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        for (;;) {
          const from = next;
          next += INSERT_WINDOW;
          if (from >= rows) return;
          const idx = Array.from({ length: Math.min(INSERT_WINDOW, rows - from) }, (_, k) => from + k);
          await client.query(
            `INSERT INTO sms_outbox (message_id, sender, recipient, text, encoding, segments)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
             RETURNING id, message_id`,
            [idx.map((i) => i + 1), idx.map(() => SENDER), idx.map((i) => phoneAt(i, offset)), idx.map(textAt), idx.map(() => 'gsm7'), idx.map(() => 1)],
          );
        }
      }),
    );
    return performance.now() - start;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function measureSending(apiKey: string): Promise<SendResult> {
  // The batches above were queued too: their chunk jobs go, so the workers send only this one.
  const queue = new Queue('sms', { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix: PREFIX });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
  const body = jsonBatch(JSON_RECIPIENTS, 77_777);
  const answer = await post('/v1/sms/batches', WEB_PORT, jsonHeaders(apiKey, body), body);
  expectStatus('batch to send', answer, 202);
  const { id } = JSON.parse(answer.body) as { id: string };

  const client = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
  await client.connect();
  try {
    const spawned = performance.now();
    const workers = startSmsWorkers();
    let wallMs = Number.NaN;
    for (;;) {
      const { rows } = await client.query<{ status: string }>('SELECT status FROM sms_batches WHERE id = $1', [id]);
      if (rows[0]?.status === 'completed') {
        wallMs = performance.now() - spawned;
        break;
      }
      if (workers.exitCode !== null) throw new Error(`the sms workers exited (${workers.exitCode})`);
      if (performance.now() - spawned > SEND_TIMEOUT_MS) throw new Error(`batch not completed within ${SEND_TIMEOUT_MS / 1000} s (${rows[0]?.status})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await stopProcess(workers, 10_000);
    const { rows } = await client.query<{ sent: string; ms: number }>(
      `SELECT (SELECT count(*) FROM sms_messages WHERE batch_id = $1 AND status = 'sent') AS sent,
              extract(epoch FROM completed_at - started_at) * 1000 AS ms
       FROM sms_batches WHERE id = $1`,
      [id],
    );
    const sent = Number(rows[0]?.sent ?? 0);
    const sendMs = Number(rows[0]?.ms ?? Number.NaN);
    console.log(`  send: ${sent} sent in ${seconds(sendMs)} (first claim to completed; ${seconds(wallMs)} from spawning the workers)`);
    const sequentialMs = await rawInserts(JSON_RECIPIENTS, 88_888, 1);
    const parallelMs = await rawInserts(JSON_RECIPIENTS, 99_999, 4);
    console.log(`  send: raw INSERT baseline ${seconds(sequentialMs)} on 1 connection, ${seconds(parallelMs)} on 4`);
    return { sent, sendMs, wallMs, sequentialMs, parallelMs };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

/** `count` privacy restrictions of hashes no recipient has. */
async function restrictSomeone(count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
  await client.connect();
  try {
    await client.query(`INSERT INTO privacy_restrictions (identifier_hash) SELECT sha256(('bench' || i)::bytea) FROM generate_series(1, $1::int) i ON CONFLICT DO NOTHING`, [count]);
    console.log(`  ${count} privacy restrictions stored: every intake hashes and looks up its numbers`);
  } finally {
    await client.end();
  }
}

export async function smsBench(): Promise<void> {
  const started = performance.now();
  try {
    await run(async () => {
      console.log(`SMS benchmark: database ${DB_NAME}, queue prefix ${PREFIX}, node dist/main.js${NODE_ARGS.length > 0 ? ` with ${NODE_ARGS.join(' ')}` : ''}`);
      buildPlatform('BENCH_SMS_BUILD');
      let web = await startWeb();
      children.push(await startProcess('node', ['-e', BARE_SERVER], {}, `http://${HOST}:${BARE_PORT}/`));

      const apiKey = await createOrganization(WEB_PORT, 'Bench organisation');
      if (RESTRICTIONS > 0) await restrictSomeone(RESTRICTIONS);

      const json = PARTS.has('json') ? await measureJson(apiKey, web) : undefined;
      let csv: CsvResult | undefined;
      let get: GetResult | undefined;
      if (PARTS.has('csv')) {
        // A fresh web process for the CSV, so its memory is not the JSON batches' leftovers.
        await stopProcess(web, 10_000);
        web = await startWeb();
        csv = await measureCsv(apiKey, web);
        get = await measureGet(apiKey, csv.id);
      }
      const allInOne = PARTS.has('allinone') ? await measureAllInOne() : undefined;
      const send = PARTS.has('send') ? await measureSending(apiKey) : undefined;

      const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms).toLocaleString('en')}/s`;
      const met = (ok: boolean) => (ok ? 'MET' : 'MISSED');
      const rows: string[][] = [['measure', 'platform', 'baseline', 'target']];
      if (json) {
        const jsonMedian = median(json.platform);
        rows.push([`JSON batch of ${JSON_RECIPIENTS.toLocaleString('en')} accepted (--role web)`, seconds(jsonMedian), `${seconds(median(json.bare))} (bare http + JSON.parse)`, `< ${seconds(TARGET_JSON_MS)} ${met(jsonMedian < TARGET_JSON_MS)}`]);
      }
      if (json) rows.push(['  its CPU (web process; Postgres backends)', cpuText(cpuMedians(json.cpu)), '', '']);
      if (allInOne) {
        const allMedian = median(allInOne.times);
        const ratio = json ? ` = ${(allMedian / median(json.platform)).toFixed(2)}x` : '';
        rows.push(['  the same, every role in one process, while sending', seconds(allMedian), json ? `${seconds(median(json.platform))} (--role web, above)${ratio}` : '', `< ${seconds(TARGET_JSON_MS)} ${met(allMedian < TARGET_JSON_MS)}`]);
        rows.push(['  its CPU (whole process; Postgres backends)', cpuText(cpuMedians(allInOne.cpu)), json ? `${cpuText(cpuMedians(json.cpu))} (--role web)` : '', '']);
      }
      if (csv) {
        const ratio = csv.ms / csv.copyMs;
        rows.push([`CSV of ${CSV_ROWS.toLocaleString('en')} rows accepted`, seconds(csv.ms), `${seconds(csv.copyMs)} (COPY into sms_outbox copy)`, `${ratio.toFixed(1)}x COPY; stretch ${STRETCH_COPY_RATIO}x ${met(ratio <= STRETCH_COPY_RATIO)}`]);
        rows.push(['  web peak RSS during CSV', `${csv.peakRssMb.toFixed(0)} MB`, `${csv.rssBeforeMb.toFixed(0)} MB before upload${csv.peakResetWorked ? '' : ' (VmHWM since start)'}`, `< ${TARGET_RSS_MB} MB ${met(csv.peakRssMb < TARGET_RSS_MB)}`]);
      }
      if (get) rows.push([`GET /v1/sms/batches/{id}, ${CSV_ROWS.toLocaleString('en')} messages`, `${get.ms.toFixed(1)} ms`, `${get.countMs.toFixed(0)} ms (COUNT(*) per status)`, 'running counts']);
      if (send) {
        rows.push([`Outbox send rate (${send.sent.toLocaleString('en')} msgs)`, rate(send.sent, send.sendMs), `${rate(JSON_RECIPIENTS, send.sequentialMs)} (INSERT x200, 1 conn)`, `${((100 * send.sequentialMs) / send.sendMs).toFixed(0)} % of baseline`]);
        rows.push(['', '', `${rate(JSON_RECIPIENTS, send.parallelMs)} (INSERT x200, 4 conns)`, `${((100 * send.parallelMs) / send.sendMs).toFixed(0)} % of baseline`]);
      }
      console.log(`\nSMS on ${HOST} (medians of ${RUNS}${json ? `; ${(json.bytes / 1e6).toFixed(1)} MB JSON body, ${json.rejected} rejected` : ''})`);
      table(rows);
      if (json) console.log(`\nJSON runs (platform / bare): ${json.platform.map((ms, i) => `${seconds(ms)} / ${seconds(json.bare[i] ?? Number.NaN)}`).join(', ')}`);
      if (allInOne) console.log(`All-in-one runs: ${allInOne.times.map(seconds).join(', ')}`);
      if (csv) console.log(`CSV: ${csv.accepted.toLocaleString('en')} accepted, ${csv.rejected} rejected`);
      if (send) console.log(`Send wall time from spawning --role sms: ${seconds(send.wallMs)}`);
    });
  } finally {
    console.log(`(SMS benchmark took ${seconds(performance.now() - started)})`);
  }
}
