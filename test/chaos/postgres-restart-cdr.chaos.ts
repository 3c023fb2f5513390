// Chaos case 3, the CDR half: Postgres "restarted" in the middle of a call-detail parse. A real
// restart of the shared server would cut every other helper's work, so this test's own database
// goes through what a restart does to it: every backend of it terminated (the web's pool, the
// parse's COPY, the raw-file read, the test's own) and new connections refused for a few seconds
// (ALLOW_CONNECTIONS false), then let in again. The web process and worker-invoices run from the
// Procfile's commands; the upload is a real POST of the CSV. The upload ends `parsed` with every
// row of the file exactly once (count, distinct lines, and a digest of every row's number,
// amount and time against the file). About 2.5 minutes at load 30.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { ADMIN_DATABASE_URL } from '../helpers/env.js';
import { callLines, callsFile, finished, uploadRaw, type Upload } from '../helpers/tem.js';
import { chaosEnv, fleet, freePort, organisationOn } from './processes.js';

const ROWS = 150_000;
const DOWN_MS = 5_000;

const ctx = await createTestContext();
const port = await freePort();
const platform = fleet(chaosEnv(ctx, port, { JOB_LOCK_MS: '5000' }));
afterAll(() => platform.stopAll());

const databaseName = new URL(ctx.config.databaseUrl).pathname.slice(1);

/** What a restart does to one database: its backends all cut, nobody let in for `downMs`; `during` runs while it is down. */
async function restartDatabase<T>(downMs: number, during: () => Promise<T>): Promise<{ cut: number; during: T }> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL, application_name: 'chaos-restart' });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS false`);
    const cut = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName]);
    const [result] = await Promise.all([during(), new Promise((r) => setTimeout(r, downMs))]);
    return { cut: cut.rowCount ?? 0, during: result };
  } finally {
    await admin.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS true`);
    await admin.end();
  }
}

/** Rows the parse's COPY has written so far (0 when no COPY of this database runs). */
const copied = async () =>
  (
    await sql<{ n: number }>`
      SELECT coalesce(max(p.tuples_processed), 0)::int AS n FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid)
      WHERE a.datname = ${databaseName} AND a.application_name = 'tgg-tem-parse'`.execute(ctx.db)
  ).rows[0]?.n ?? 0;

/** The digest of the records as the file says them: line, E.164 number, cents, local start time. */
function fileDigest(): string {
  const text = callLines(ROWS, 3).map((c) => `${c.line}|${c.msisdn}|${c.cents}|${c.start}`).join('\n');
  return createHash('sha256').update(text).digest('hex');
}

describe('chaos: Postgres restarted mid CDR parse', () => {
  it('ends parsed, every row of the file stored exactly once', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    const web = platform.run('web');
    const worker = platform.run('worker-invoices');
    const { call, org } = await organisationOn(platform, ctx, port, 'Chaos Gemeente');

    const posted = await uploadRaw({ port } as never, org.key, callsFile(ROWS, 3));
    expect(posted.status).toBe(202);
    const atCut = await waitFor(async () => {
      const n = await copied();
      return n >= ROWS / 4 ? n : undefined;
    }, 'a quarter of the rows copied', 180_000);

    // While it is down the API says so: 503 problem+json, try again.
    const restart = await restartDatabase(DOWN_MS, async () => {
      await new Promise((r) => setTimeout(r, 500));
      return call<Upload>('get', `/v1/invoices/uploads/${posted.body.id}`, { auth: org.key });
    });
    expect(restart.cut).toBeGreaterThanOrEqual(2); // the parse's connection and the raw file's, at least
    expect(restart.during.status).toBe(503);
    expect(restart.during.headers.get('content-type')).toContain('application/problem+json');
    expect(restart.during.headers.get('retry-after')).toMatch(/^\d+$/);

    const done = await finished(call, org.key, posted.body.id, 240_000);
    expect(done).toMatchObject({ status: 'parsed', rowsStored: ROWS, rowsRefused: 0 });
    const { attempts } = await ctx.db.selectFrom('tem_uploads').select('attempts').where('id', '=', posted.body.id).executeTakeFirstOrThrow();
    expect(attempts).toBeGreaterThanOrEqual(2);
    const stored = await sql<{ n: number; lines: number; digest: string }>`
      SELECT count(*)::int AS n, count(DISTINCT line)::int AS lines,
        encode(sha256(convert_to(string_agg(line || '|' || msisdn || '|' || (amount * 100)::int || '|' || to_char(started_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY HH24:MI:SS'), E'\n' ORDER BY line), 'UTF8')), 'hex') AS digest
      FROM call_records WHERE upload_id = ${posted.body.id}`.execute(ctx.db);
    expect(stored.rows[0]).toEqual({ n: ROWS, lines: ROWS, digest: fileDigest() });
    // The cost report's rollup, written by the parse in its own transaction, sums every row once too.
    const rolled = await sql<{ records: string; amount: string }>`
      SELECT sum(records)::text AS records, sum(amount)::text AS amount FROM tem_cost_rollup WHERE organization_id = ${org.id} AND source = 'call'`.execute(ctx.db);
    const cents = callLines(ROWS, 3).reduce((total, c) => total + c.cents, 0);
    expect(rolled.rows[0]).toEqual({ records: String(ROWS), amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}00` });
    // Both processes rode it out.
    expect(web.process.exitCode).toBeNull();
    expect(worker.process.exitCode).toBeNull();
    console.log(`chaos 3 (CDR): ${atCut} of ${ROWS} rows copied when ${restart.cut} backends were cut, down ${DOWN_MS} ms; parsed after ${attempts} attempts, every row once`);
  });
});
