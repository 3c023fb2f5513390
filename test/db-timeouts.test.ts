// Postgres statements have a bound (db/database.ts): a request whose statement is stuck behind a
// lock, or sent to a Postgres that stopped answering, gets 503 problem+json within the statement
// timeout plus the client's grace instead of hanging for ever; a process running workers, and
// the bulk COPY of a web request, get the long bound, so a purge, an export or an upload is not cut.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { QUERY_GRACE_MS, allowLongStatements, copyIntoTable } from '../db/database.js';
import { createTestContext, started } from './helpers/context.js';
import { caller, newOrganization, opsAuth, type Answer } from './helpers/identity.js';
import { silentProxy, throughProxy } from './helpers/silent-proxy.js';
import { expectUnavailable } from './helpers/unavailable.js';

const ctx = await createTestContext();
const ops = opsAuth(ctx);
/** A bound short enough for a test; the defaults are in the README (Configuration). */
const STATEMENT_MS = 1_000;
const bounded = ctx.configWith({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS), DB_CONNECT_TIMEOUT_MS: '2000' });
/** Far past the bound: a hang, not a slow answer. */
const HANG_MS = 20_000;

const refusedWith = (kind: string) => ctx.logs.some((l) => l.msg === 'request refused: a dependency is unavailable' && l.error === kind);

describe('a statement of a request', () => {
  it('stuck behind a lock: the server cancels it at the statement timeout (57014), 503', async () => {
    const runtime = await started(await ctx.start({ config: bounded }));
    let answer: Answer | undefined;
    let tookMs = 0;
    // The lock is held until the request has its answer (or gives up).
    await ctx.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE mail_outbox IN ACCESS EXCLUSIVE MODE`.execute(trx);
      const began = performance.now();
      answer = await caller(runtime)('get', '/ops/outbox', { auth: ops, signal: AbortSignal.timeout(HANG_MS) });
      tookMs = performance.now() - began;
    });
    expectUnavailable(answer!);
    expect(refusedWith('postgres error 57014')).toBe(true);
    expect(tookMs).toBeLessThan(STATEMENT_MS + QUERY_GRACE_MS + 5_000);
    // The connection it ran on is fine: the next request is answered.
    expect((await caller(runtime)('get', '/ops/outbox', { auth: ops })).status).toBe(200);
  }, 30_000);

  it('to a Postgres that stopped answering: 503 within the bound, on a pooled connection and on a new one', async () => {
    const proxy = await silentProxy(ctx.config.databaseUrl);
    try {
      const runtime = await started(await ctx.start({ config: ctx.configWith({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS), DB_CONNECT_TIMEOUT_MS: '2000', DATABASE_URL: throughProxy(ctx.config.databaseUrl, proxy) }) }));
      const call = caller(runtime);
      expect((await call('get', '/ops/outbox', { auth: ops })).status).toBe(200);
      proxy.silence();
      // The pool's idle connection takes it: sent, never answered.
      const began = performance.now();
      expectUnavailable(await call('get', '/ops/outbox', { auth: ops, signal: AbortSignal.timeout(HANG_MS) }));
      expect(performance.now() - began).toBeLessThan(STATEMENT_MS + QUERY_GRACE_MS + 5_000);
      expect(refusedWith('error (QUERY_READ_TIMEOUT)')).toBe(true);
      // That connection was dropped: the next request needs a new one, which never completes its start-up.
      expectUnavailable(await call('get', '/ops/outbox', { auth: ops, signal: AbortSignal.timeout(HANG_MS) }));
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('long statements', () => {
  const nap = sql`SELECT pg_sleep(${(STATEMENT_MS * 1.5) / 1000})`;

  it('of a process running workers are not cut by the web bound', async () => {
    const worker = await ctx.start({ roles: ['privacy'], config: bounded });
    await expect(nap.execute(worker.deps.db)).resolves.toBeDefined();
    await worker.stop();
  }, 30_000);

  it('of a web request: cut, unless its transaction allows them (a bulk COPY does)', async () => {
    const web = await ctx.start({ config: bounded });
    await expect(nap.execute(web.deps.db)).rejects.toMatchObject({ code: '57014' });
    await web.deps.db.transaction().execute(async (trx) => {
      await allowLongStatements(trx);
      await nap.execute(trx);
    });
    // A COPY whose source takes longer than the bound, as a bulk batch's does on a busy machine.
    const rows = await web.deps.db.transaction().execute(async (trx) => {
      await sql`CREATE TEMP TABLE slow_copy (n int) ON COMMIT DROP`.execute(trx);
      async function* lines(): AsyncGenerator<Buffer> {
        yield Buffer.from('1\n');
        await new Promise((resolve) => setTimeout(resolve, STATEMENT_MS * 1.5));
        yield Buffer.from('2\n');
      }
      await copyIntoTable(trx, 'slow_copy (n)', lines());
      return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM slow_copy`.execute(trx)).rows[0]?.n;
    });
    expect(rows).toBe(2);
    // The lift ended with its transaction.
    await expect(nap.execute(web.deps.db)).rejects.toMatchObject({ code: '57014' });
    await web.stop();
  }, 30_000);
});

describe('a request that moves a whole batch or list at once', () => {
  // A statement-level trigger that sleeps past the bound stands in for a cancel of 1,000,000
  // queued messages (11 s on two cores) or the delete of a list of 100,000 subscribers.
  const slowAfter = async (table: string, event: 'UPDATE' | 'DELETE') => {
    const seconds = (STATEMENT_MS * 1.5) / 1000;
    await sql.raw(`CREATE OR REPLACE FUNCTION test_slow_statement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${seconds}); RETURN NULL; END $$`).execute(ctx.db);
    await sql.raw(`CREATE TRIGGER test_slow_${table} AFTER ${event} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION test_slow_statement()`).execute(ctx.db);
    return () => sql.raw(`DROP TRIGGER test_slow_${table} ON ${table}`).execute(ctx.db);
  };

  it('gets the long bound: a cancel and a list delete that outlast the request bound still happen', async () => {
    const web = await started(await ctx.start({ config: bounded }));
    const call = caller(web);
    const org = await newOrganization(call, ctx, 'Gemeente Traag');
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const batch = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Jansen', body: 'Hallo', sendAt, recipients: [{ phone: '0640000001' }, { phone: '0640000002' }] } });
    expect(batch.status).toBe(202);
    const list = await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Leden' } });
    expect(list.status).toBe(201);

    const fast = await slowAfter('sms_messages', 'UPDATE');
    try {
      const cancel = await call('post', `/v1/sms/batches/${batch.body.id}/cancel`, { auth: org.key, signal: AbortSignal.timeout(HANG_MS) });
      expect([cancel.status, cancel.body]).toMatchObject([200, { status: 'cancelled', counts: { cancelled: 2 } }]);
    } finally {
      await fast();
    }
    const fastList = await slowAfter('newsletter_lists', 'DELETE');
    try {
      expect((await call('delete', `/v1/lists/${list.body.id}`, { auth: org.key, signal: AbortSignal.timeout(HANG_MS) })).status).toBe(204);
    } finally {
      await fastList();
    }
    await web.stop();
  }, 60_000);
});
