// Chaos case 7 (a full disk is out of reach here): Postgres refusing connections, as when
// max_connections is reached. On the shared server this is done to the platform alone: web
// and worker-sms log in as a role of this test's own whose CONNECTION LIMIT a hog fills, and
// their connections are terminated (superusers are exempt from connection limits, so the role
// is not one). While it lasts the API answers 503 problem+json with Retry-After; once it is
// over, every batch that was answered 202 is sent whole, each message once. About 1.5 minutes.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { startSmsc } from '../helpers/smsc.js';
import { chaosEnv, fleet, freePort, organisationOn } from './processes.js';
import { batchBody } from './sms-batch.js';
// The claim window of send-chunk, which the SMPP provider takes whole without a rate: what one
// session has in flight with WORKER_CONCURRENCY=1, and the most a fault may leave 'unknown'.
import { WINDOW } from '../../workers/sms/send-chunk.js';

const FIRST_BATCH = 2_000;
const HOGS = 2;

const ctx = await createTestContext();
const role = `chaos_app_${randomBytes(5).toString('hex')}`;
await sql.raw(`CREATE ROLE ${role} LOGIN; GRANT pg_read_all_data, pg_write_all_data TO ${role}`).execute(ctx.db);
const roleUrl = new URL(ctx.config.databaseUrl);
roleUrl.username = role;
const smsc = await startSmsc();
const port = await freePort();
const platform = fleet(chaosEnv(ctx, port, {
  DATABASE_URL: roleUrl.toString(),
  SMS_PROVIDER: 'smpp',
  SMPP_URL: smsc.url,
  WORKER_CONCURRENCY: '1',
  RECONCILE_INTERVAL_MS: '2000',
}));
const hogs: pg.Client[] = [];
const terminateRole = (keep: readonly number[] = []) =>
  sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${role} AND pid <> ALL(${keep}::int[])`.execute(ctx.db);
afterAll(async () => {
  await platform.stopAll();
  for (const hog of hogs) await hog.end().catch(() => undefined);
  await terminateRole();
  await sql.raw(`DROP ROLE IF EXISTS ${role}`).execute(ctx.db);
  await smsc.close();
});

const statusOf = async (batchId: string) => (await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', batchId).executeTakeFirst())?.status;

describe('chaos: Postgres refusing connections', () => {
  it('answers 503 problem+json while it lasts, and loses nothing it accepted', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    platform.run('web');
    platform.run('worker-sms');
    // The scheduler (reconciler) as the superuser: it is not what this case is about.
    platform.run('scheduler', { DATABASE_URL: ctx.config.databaseUrl });
    const { call, org } = await organisationOn(platform, ctx, port, 'Chaos Slager');
    let next = 0;
    const batchOf = (n: number) => {
      const body = batchBody(platform, n, next);
      next += n;
      return body;
    };
    const accepted: { id: string; size: number }[] = [];
    const first = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: batchOf(FIRST_BATCH) });
    expect(first.status).toBe(202);
    accepted.push({ id: first.body.id, size: FIRST_BATCH });
    await waitFor(() => Promise.resolve(smsc.received.length >= FIRST_BATCH / 5), 'the first batch sending', 120_000);

    // The fault: the role's connection slots taken by hogs, the platform's connections cut.
    const hogPids: number[] = [];
    for (let i = 0; i < HOGS; i++) {
      const hog = new pg.Client({ connectionString: roleUrl.toString() });
      await hog.connect();
      hogs.push(hog);
      hogPids.push((await hog.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0);
    }
    // The limit is checked at login only: the hogs are in, now nobody else gets in.
    await sql.raw(`ALTER ROLE ${role} CONNECTION LIMIT ${HOGS}`).execute(ctx.db);
    await terminateRole(hogPids);
    const refusedAt = smsc.received.length;

    const answers: { status: number; type: string | null; retryAfter: string | null; body: unknown }[] = [];
    for (let i = 0; i < 10; i++) {
      const post = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: batchOf(10) });
      if (post.status === 202) accepted.push({ id: post.body.id, size: 10 });
      const get = await call('get', '/v1/sms/batches', { auth: org.key });
      for (const a of [post, get]) answers.push({ status: a.status, type: a.headers.get('content-type'), retryAfter: a.headers.get('retry-after'), body: a.body });
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { postgres: 'unavailable', redis: 'ok' } });
    const refused = answers.filter((a) => a.status !== 202 && a.status !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(answers.length - 1);
    for (const a of refused) {
      expect(a).toMatchObject({ status: 503, body: { type: '/problems/unavailable', status: 503 } });
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect(a.type).toContain('application/problem+json');
    }

    // Over: the hogs leave and the limit goes.
    for (const hog of hogs.splice(0)) await hog.end();
    await sql.raw(`ALTER ROLE ${role} CONNECTION LIMIT -1`).execute(ctx.db);
    const after = await waitFor(async () => {
      const answer = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: batchOf(10) });
      return answer.status === 202 ? answer : undefined;
    }, 'the API accepting again', 60_000);
    accepted.push({ id: after.body.id, size: 10 });
    // A window whose outcome could not be written stays claimed until the sending timeout: move its clock.
    await new Promise((r) => setTimeout(r, 5_000));
    await sql`UPDATE sms_claims SET claimed_at = now() - interval '11 minutes' WHERE claimed_at < now() - interval '4 seconds'`.execute(ctx.db);

    const total = accepted.reduce((n, b) => n + b.size, 0);
    for (const batch of accepted) await waitFor(async () => (await statusOf(batch.id)) === 'completed', `batch ${batch.id} to complete`, 240_000);
    // A batch completes when its chunks are done; the swept window turns 'unknown' on the reconciler's next pass.
    const by = await waitFor(async () => {
      const rows = await ctx.db
        .selectFrom('sms_messages')
        .select(['status', sql<string>`count(*)`.as('n')])
        .where('batch_id', 'in', accepted.map((b) => b.id))
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
      return (counts.sending ?? 0) === 0 && (counts.queued ?? 0) === 0 ? counts : undefined;
    }, 'no message left sending', 60_000);
    const destinations = smsc.received.map((r) => r.destination);
    expect(new Set(destinations).size).toBe(destinations.length);
    expect(by.failed ?? 0).toBe(0);
    expect(by.unknown ?? 0).toBeLessThanOrEqual(WINDOW);
    expect((by.sent ?? 0) + (by.unknown ?? 0)).toBe(total);
    expect(destinations.length).toBeGreaterThanOrEqual(by.sent ?? 0);
    console.log(`chaos 7: ${refusedAt} at the SMSC when refused; ${refused.length}/${answers.length} answers 503; ${accepted.length} batches accepted (${total} messages); end ${JSON.stringify(by)}`);
  });
});
