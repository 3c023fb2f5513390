// A UBL invoice of 200,000 lines (about 120 MB, generated as it is sent, never committed)
// parsed by an invoices worker of its own: every line stored, the totals exact, and the
// worker's memory bounded (its peak RSS above its size at rest stays far below the file's
// size: no tree of the whole document, lines written in batches as they close).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { baseUrl } from './helpers/http.js';
import { finished, type Upload } from './helpers/tem.js';
import { euros, ublPieces, ublTotals, type UblOptions } from './helpers/ubl.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
let worker: ChildProcess | undefined;

afterAll(async () => {
  if (worker && worker.exitCode === null) await new Promise((r) => { worker?.once('exit', r); worker?.kill('SIGKILL'); });
});

const LINES = 200_000;
/** Growth over the worker's size at rest allowed (the file is about 120 MB; a tree of it would take gigabytes). */
const BOUND_MB = 200;
/** The worker's heap is capped too: holding the document whole would end it. */
const HEAP_MB = 256;
const INVOICE: UblOptions = {
  number: 'GROOT-1',
  issueDate: '2026-11-30',
  period: ['2026-11-01', '2026-11-30'],
  count: LINES,
  line: (i) => ({ cents: BigInt(100 + ((i * 7919) % 10_000)), objectId: `06${12_000_000 + (i % 2_000)}` }),
};

const kib = (field: string, pid: number) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('a 200,000-line invoice', () => {
  it('is parsed whole with the worker’s memory bounded', async () => {
    worker = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', 'main.ts', '--role', 'invoices'], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: ctx.config.databaseUrl, REDIS_URL: ctx.config.redisUrl, QUEUE_PREFIX: ctx.prefix, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const pid = worker.pid!;
    // At rest: started, its modules loaded (it answers no port, so wait for its size to settle).
    let rest = 0;
    for (let previous = -1; rest !== previous; ) {
      previous = rest;
      await new Promise((r) => setTimeout(r, 2_000));
      rest = kib('VmRSS', pid);
    }
    const response = await fetch(`${baseUrl(web)}/v1/invoices/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/xml' },
      body: Readable.toWeb(Readable.from(ublPieces(INVOICE))) as ReadableStream,
      duplex: 'half',
    });
    expect(response.status).toBe(202);
    const done: Upload = await finished(call, org.key, ((await response.json()) as { id: string }).id, 480_000);
    expect(done).toMatchObject({ status: 'parsed', rowsStored: LINES });
    const grewMb = (kib('VmHWM', pid) - rest) / 1024;
    expect(grewMb).toBeLessThan(BOUND_MB);

    const want = ublTotals(INVOICE);
    const invoice = await ctx.db.selectFrom('einvoices').selectAll().where('upload_id', '=', done.id).executeTakeFirstOrThrow();
    expect(invoice).toMatchObject({ findings: [], line_count: LINES, line_total: `${euros(want.lineTotal)}00`, payable: `${euros(want.payable)}00` });
    const stored = await sql<{ n: number; total: string; subscriptions: number }>`
      SELECT count(*)::int AS n, sum(line_amount)::text AS total, count(DISTINCT subscription_ref)::int AS subscriptions FROM einvoice_lines WHERE invoice_id = ${invoice.id}`.execute(ctx.db);
    expect(stored.rows[0]).toEqual({ n: LINES, total: `${euros(want.lineTotal)}00`, subscriptions: 2_000 });
  }, 600_000);
});
