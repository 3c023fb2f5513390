// Chaos case 3, the batch-intake half (the CDR half: postgres-restart-cdr.chaos.ts): Postgres cuts the
// connection in the middle of a 50,000-recipient batch intake (pg_terminate_backend of the web
// process's busy backends, on this test's own database, as a restart would). The batch then
// exists whole or not at all, and the client was told which: 503 (try again) and no batch, or
// 202 and all of it. The retry with the same Idempotency-Key gets the one batch. About 1 minute.
import { sql } from 'kysely';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext } from '../helpers/context.js';
import { chaosEnv, fleet, freePort, organisationOn } from './processes.js';
import { batchBody } from './sms-batch.js';

const RECIPIENTS = 50_000;

const ctx = await createTestContext();
const port = await freePort();
const platform = fleet(chaosEnv(ctx, port));
afterAll(() => platform.stopAll());

const databaseName = new URL(ctx.config.databaseUrl).pathname.slice(1);

describe('chaos: Postgres cuts the connection mid batch intake', () => {
  it('keeps the batch whole or absent, and tells the client which', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    platform.run('web');
    const { call, org } = await organisationOn(platform, ctx, port, 'Chaos Drukkerij');
    const body = batchBody(platform, RECIPIENTS);
    const headers = { 'Idempotency-Key': 'chaos-intake-1' };

    // Cut the web process's backend once a transaction of it has been open 300 ms (the intake's: nothing else runs that long).
    let cuts = 0;
    let cutting = true;
    const cutter = (async () => {
      while (cutting && cuts === 0) {
        const cut = await sql<{ pid: number }>`
          SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = ${databaseName} AND application_name = 'tgg-web' AND xact_start < now() - interval '300 milliseconds' AND pid <> pg_backend_pid()`.execute(ctx.db);
        cuts += cut.rows.length;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const first = await call<{ id: string; accepted: number; type?: string }>('post', '/v1/sms/batches', { auth: org.key, body, headers });
    cutting = false;
    await cutter;
    expect(cuts).toBeGreaterThan(0);

    const batches = await ctx.db.selectFrom('sms_batches').select(['id', 'status']).where('organization_id', '=', org.id).execute();
    const messages = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM sms_messages m JOIN sms_batches b ON b.id = m.batch_id WHERE b.organization_id = ${org.id}`.execute(ctx.db)).rows[0]?.n);
    if (first.status === 503) {
      expect(first.headers.get('content-type')).toContain('application/problem+json');
      expect(batches).toEqual([]);
      expect(messages).toBe(0);
    } else {
      expect(first.status).toBe(202);
      expect(batches).toHaveLength(1);
      expect(messages).toBe(RECIPIENTS);
    }

    const again = await call<{ id: string; accepted: number }>('post', '/v1/sms/batches', { auth: org.key, body, headers });
    expect([200, 202]).toContain(again.status);
    expect(again.body.accepted).toBe(RECIPIENTS);
    const after = await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', org.id).execute();
    expect(after).toEqual([{ id: again.body.id }]);
    const stored = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM sms_messages WHERE batch_id = ${again.body.id}`.execute(ctx.db)).rows[0]?.n);
    expect(stored).toBe(RECIPIENTS);
    console.log(`chaos 3 (intake): ${cuts} backend(s) cut; first answer ${first.status}, retry ${again.status}; ${stored} messages in the one batch`);
  });
});
