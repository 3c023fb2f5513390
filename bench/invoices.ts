// E-invoice parsing (issue 13): a UBL invoice of 200,000 lines through the platform, from the
// first byte of the upload to `parsed`, beside the same file read by saxes alone (no tree, no
// storage) and beside a COPY of the same lines into einvoice_lines, in the same run. Prints
// the times, the ratios and the invoices worker's peak RSS (target < 200 MB: streamed, lines
// written into COPY buffers as they close, never a tree of the whole file). The platform runs
// compiled, as the Procfile runs it (BENCH_INVOICE_BUILD=false reuses dist/).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SaxesParser } from 'saxes';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { euros, ublPieces, type UblOptions } from '../test/helpers/ubl.js';
import { buildPlatform, nodeArgsFrom, platformProcess } from './lib/compiled.js';
import { ADMIN_URL, HOST, REDIS_URL, createOrganization, databaseUrl, platformEnv, statusKib, table } from './lib/platform.js';
import { scratch } from './lib/scratch.js';
import { parsed, ready, upload } from './lib/tem-upload.js';

const LINES = Number(process.env.BENCH_INVOICE_LINES ?? 200_000);
const WEB_PORT = Number(process.env.BENCH_INVOICE_PORT ?? 3471);
const DB_NAME = process.env.BENCH_INVOICE_DATABASE ?? 'tgg_bench_invoices';
const PREFIX = `bench-invoices-${process.pid}`;
const TARGET_RSS_MB = 200;
/** Node flags of the web and invoices processes. */
const NODE_ARGS = nodeArgsFrom('BENCH_INVOICE_NODE_ARGS');

/** The i-th line: 2,000 subscriptions named by BT-128, amounts of one to a hundred euros. */
const lineAt = (i: number) => ({ cents: BigInt(100 + ((i * 7919) % 10_000)), objectId: `06${12_000_000 + (i % 2_000)}` });
const INVOICE: UblOptions = { number: 'BENCH-1', issueDate: '2026-11-30', period: ['2026-11-01', '2026-11-30'], count: LINES, line: lineAt };

async function saxesAlone(file: string): Promise<{ ms: number; lines: number }> {
  const start = performance.now();
  const parser = new SaxesParser({ xmlns: true, position: false });
  let lines = 0;
  parser.on('closetag', (tag) => {
    if (tag.local === 'InvoiceLine') lines += 1;
  });
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) parser.write(chunk as string);
  parser.close();
  return { ms: performance.now() - start, lines };
}

/** The same lines as COPY text, with what the platform stores of them. */
function* copyLines(invoiceId: string, organizationId: string): Generator<string> {
  let rows: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const l = lineAt(i);
    const amount = euros(l.cents);
    rows.push([invoiceId, organizationId, i, i + 1, '1', 'C62', amount, amount, 'Mobiel abonnement', l.objectId, `+31${l.objectId.slice(1)}`, 'S', '21'].join('\t') + '\n');
    if (rows.length === 5_000) {
      yield rows.join('');
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('');
}

async function plainCopy(url: string, organizationId: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const upload = randomUUID();
    const invoice = randomUUID();
    const start = performance.now();
    await client.query('BEGIN');
    await client.query(`INSERT INTO tem_uploads (id, organization_id, kind, sha256, size_bytes) VALUES ($1, $2, 'einvoice', $3, 1)`, [upload, organizationId, 'c'.repeat(64)]);
    await client.query(`INSERT INTO einvoices (id, organization_id, upload_id, syntax, number, credit_note, supplier_key, line_count, retain_from) VALUES ($1, $2, $3, 'ubl-invoice', 'COPY-1', false, 'copy', $4, now())`, [invoice, organizationId, upload, LINES]);
    const columns = 'invoice_id, organization_id, seq, line_id, quantity, unit_code, line_amount, price, item_name, object_id, subscription_ref, tax_category, tax_percent';
    await pipeline(Readable.from(copyLines(invoice, organizationId)), client.query(copyFrom(`COPY einvoice_lines (${columns}) FROM STDIN`)));
    await client.query('COMMIT');
    const ms = performance.now() - start;
    await client.query('DELETE FROM tem_uploads WHERE id = $1', [upload]);
    return ms;
  } finally {
    await client.end();
  }
}

export async function invoicesBench(): Promise<void> {
  const children: ChildProcess[] = [];
  const file = join(tmpdir(), `bench-invoices-${process.pid}.xml`);
  await scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children }).run(async () => {
    try {
      await pipeline(Readable.from(ublPieces(INVOICE)), createWriteStream(file));
      const env = platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: WEB_PORT });
      const db = createDb(databaseUrl(DB_NAME), { max: 2 });
      await migrateToLatest(db);
      buildPlatform('BENCH_INVOICE_BUILD');
      const web = platformProcess('web', env, NODE_ARGS);
      children.push(web);
      await ready(`http://${HOST}:${WEB_PORT}/healthz`, web);
      const worker = platformProcess('invoices', env, NODE_ARGS);
      children.push(worker);
      const key = await createOrganization(WEB_PORT, 'Benchmark BV');
      const org = await db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
      await db.destroy();

      const sax = await saxesAlone(file);
      const copyMs = await plainCopy(databaseUrl(DB_NAME), org.id);

      const atRest = statusKib('VmRSS', worker.pid) / 1024;
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, statusKib('VmRSS', worker.pid))), 100);
      const start = performance.now();
      const answer = await upload(WEB_PORT, file, key, 'application/xml');
      if (answer.status !== 202) throw new Error(`upload: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
      const uploadedMs = performance.now() - start;
      const result = await parsed(WEB_PORT, (JSON.parse(answer.body) as { id: string }).id, key);
      const platformMs = performance.now() - start;
      clearInterval(sampler);
      const workerPeak = Math.max(peak, statusKib('VmHWM', worker.pid)) / 1024;
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(`\nE-invoice: ${LINES.toLocaleString('en')} lines, ${(statSync(file).size / 1e6).toFixed(0)} MB of UBL; ${result.status}, ${result.rowsStored.toLocaleString('en')} lines stored (saxes counted ${sax.lines.toLocaleString('en')}); node dist/main.js${NODE_ARGS.length > 0 ? ` with ${NODE_ARGS.join(' ')}` : ''}`);
      table([
        ['measure', 'platform', 'same-run baseline', 'ratio / target'],
        ['upload to parsed', seconds(platformMs), `saxes alone ${seconds(sax.ms)}`, `${(platformMs / sax.ms).toFixed(2)}`],
        ['', '', `COPY of the lines ${seconds(copyMs)}`, `${(platformMs / copyMs).toFixed(2)}`],
        ['  of which the upload', seconds(uploadedMs), '', ''],
        ['invoices peak RSS', `${workerPeak.toFixed(0)} MB`, `${atRest.toFixed(0)} MB at rest`, `< ${TARGET_RSS_MB} MB: ${workerPeak < TARGET_RSS_MB ? 'met' : 'missed'}`],
      ]);
      if (result.status !== 'parsed') console.log(JSON.stringify(result.errors).slice(0, 500));
    } finally {
      rmSync(file, { force: true });
    }
  });
}
