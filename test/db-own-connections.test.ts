// The connections a process opens for itself, outside the pool (openConnection, db/database.ts):
// the CSV intake's COPY (workers/sms/message-copy.ts), a TEM parse's transaction and its raw-file
// read. Against a Postgres that stops answering (a TCP proxy gone silent) they fail within
// DB_LONG_STATEMENT_TIMEOUT_MS plus the client's grace, COPY streams included, and their close
// does not wait for the server either: they waited for ever. A TEM parse cut so is retried by
// its job and stores every row once.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { QUERY_GRACE_MS } from '../db/database.js';
import { MessageCopy } from '../workers/sms/message-copy.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { insertBatch, insertOrganization } from './helpers/factories.js';
import { caller, newOrganization } from './helpers/identity.js';
import { silentProxy, throughProxy } from './helpers/silent-proxy.js';
import { callsFile, finished, uploadRaw } from './helpers/tem.js';

const ctx = await createTestContext();
/** The long bound, short for the test (its default, 10 minutes, is in the README). */
const LONG_MS = 3_000;
/** Far past the bound: a hang, not a slow answer. */
const HANG_MS = 30_000;

function copyLines(batchId: string, organizationId: string, firstSeq: number, count: number): Buffer {
  let text = '';
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    text += `${batchId}\t${organizationId}\t${seq}\tsms\t+3161234${String(seq).padStart(4, '0')}\t\\N\t\\N\tHallo ${seq}\t+3161234${String(seq).padStart(4, '0')}\tgsm7\t1\t\\N\t\\N\t0.0750\tqueued\n`;
  }
  return Buffer.from(text);
}

/** Settles with how long `work` took and whether it failed, or says it hung. */
async function timed(work: Promise<unknown>): Promise<{ ms: number; failed: boolean | 'hung' }> {
  const began = performance.now();
  const failed = await Promise.race([work.then(() => false, () => true), new Promise<'hung'>((r) => setTimeout(() => r('hung'), HANG_MS))]);
  return { ms: performance.now() - began, failed };
}

describe('the CSV intake COPY to a Postgres gone silent', () => {
  it('fails within the bound when it ends, nothing of it stored, and its abort does not wait', async () => {
    const proxy = await silentProxy(ctx.config.databaseUrl);
    try {
      const organization = await insertOrganization(ctx.db);
      const batch = await insertBatch(ctx.db, { organization_id: organization.id, status: 'validating' });
      const settings = { ...ctx.config, databaseUrl: throughProxy(ctx.config.databaseUrl, proxy), db: { ...ctx.config.db, longStatementTimeoutMs: LONG_MS } };
      const copy = await MessageCopy.open(settings);
      await copy.write(copyLines(batch.id, organization.id, 0, 1_000));
      proxy.silence();
      await copy.write(copyLines(batch.id, organization.id, 1_000, 1_000)).catch(() => undefined);
      const ended = await timed(copy.end());
      expect(ended.failed).toBe(true);
      expect(ended.ms).toBeLessThan(LONG_MS + QUERY_GRACE_MS + 5_000);
      expect((await timed(copy.abort())).failed).toBe(false);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sms_messages WHERE batch_id = ${batch.id}`.execute(ctx.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('the CSV intake COPY of a slow but steady upload', () => {
  it('is not cut by the long bound while each slice is taken: its bound is on a wait, not on the whole upload', async () => {
    // A 256 MB file at 1 Mbit/s takes about 35 minutes: its COPY lasts as long, past the 10-minute
    // long statement bound, while Postgres answers every slice at once (the rate is the body deadline's).
    const organization = await insertOrganization(ctx.db);
    const batch = await insertBatch(ctx.db, { organization_id: organization.id, status: 'validating' });
    const bound = 1_000;
    const copy = await MessageCopy.open({ ...ctx.config, db: { ...ctx.config.db, longStatementTimeoutMs: bound } });
    const slices = 8;
    for (let slice = 0; slice < slices; slice++) {
      await copy.write(copyLines(batch.id, organization.id, slice * 100, 100));
      await new Promise((r) => setTimeout(r, (bound + QUERY_GRACE_MS) / 4));
    }
    await copy.end();
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sms_messages WHERE batch_id = ${batch.id}`.execute(ctx.db);
    expect(rows[0]?.n).toBe(slices * 100);
  }, 60_000);
});

describe('a TEM parse whose Postgres goes silent mid-COPY', () => {
  /** Long enough for the retry's whole parse on a loaded machine (the first, 3 s, cut it too: the upload ended failed). */
  const PARSE_BOUND_MS = 10_000;
  it('fails within the bound, and its retry, once Postgres answers again, stores every row once', async () => {
    const web = await ctx.start({ roles: ['web'] });
    const call = caller(web);
    const org = await newOrganization(call, ctx, 'Gemeente Stil');
    const proxy = await silentProxy(ctx.config.databaseUrl);
    try {
      const worker = await ctx.start({ roles: ['invoices'], config: ctx.configWith({ DATABASE_URL: throughProxy(ctx.config.databaseUrl, proxy), DB_LONG_STATEMENT_TIMEOUT_MS: String(PARSE_BOUND_MS), DB_CONNECT_TIMEOUT_MS: '2000' }) });
      const rows = 60_000;
      const answer = await uploadRaw(web, org.key, callsFile(rows, 3));
      expect(answer.status).toBe(202);
      await waitFor(async () => {
        const active = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tgg-tem-parse' AND query LIKE 'COPY%' AND state = 'active'`.execute(ctx.db);
        return active.rows[0]?.pid;
      }, 'the COPY of the parse', 60_000);
      proxy.silence();
      const began = performance.now();
      // The job's run fails (BullMQ, on Redis, which is not behind the proxy, counts it).
      const job = (await worker.deps.queues.get('invoices').getJobs(['active', 'waiting', 'delayed', 'failed', 'completed'])).find((j) => j.name === 'tem.parse-upload');
      expect(job).toBeDefined();
      await waitFor(async () => ((await worker.deps.queues.get('invoices').getJob(job!.id!))?.attemptsMade ?? 0) >= 1 || undefined, 'the parse to fail', 2 * HANG_MS);
      expect(performance.now() - began).toBeLessThan(PARSE_BOUND_MS + QUERY_GRACE_MS + 5_000);
      proxy.resume();
      const done = await finished(call, org.key, answer.body.id, 180_000);
      expect(done).toMatchObject({ status: 'parsed', rowsStored: rows, rowsRefused: 0 });
      const stored = await sql<{ n: number; lines: number }>`SELECT count(*)::int AS n, count(DISTINCT line)::int AS lines FROM call_records WHERE upload_id = ${answer.body.id}`.execute(ctx.db);
      expect(stored.rows[0]).toEqual({ n: rows, lines: rows });
      await worker.stop();
    } finally {
      await proxy.close();
      await web.stop();
    }
  }, 240_000);
});
