// Chaos case 1: a worker-sms SIGKILLed in the middle of a 20,000-recipient batch, then started
// again. No message reaches the SMSC twice; at most one window of the killed session is
// 'unknown' (its fate cannot be known: ARCHITECTURE.md, rule 4); every other one is sent.
import { sql } from 'kysely';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { startSmsc } from '../helpers/smsc.js';
import { chaosEnv, fleet, freePort, organisationOn } from './processes.js';
import { newBatch } from './sms-batch.js';
// The claim window of send-chunk, which the SMPP provider takes whole without a rate: what one
// session has in flight with WORKER_CONCURRENCY=1, and the most a fault may leave 'unknown'.
import { WINDOW } from '../../workers/sms/send-chunk.js';

const RECIPIENTS = 20_000;

const ctx = await createTestContext();
const smsc = await startSmsc();
const port = await freePort();
const platform = fleet(chaosEnv(ctx, port, {
  SMS_PROVIDER: 'smpp',
  SMPP_URL: smsc.url,
  WORKER_CONCURRENCY: '1',
  JOB_LOCK_MS: '5000',
  RECONCILE_INTERVAL_MS: '1000',
}));
afterAll(async () => {
  await platform.stopAll();
  await smsc.close();
});

describe('chaos: worker-sms killed mid-batch', () => {
  it('sends nobody twice, leaves at most one window unknown, sends the rest', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    platform.run('web');
    platform.run('scheduler');
    const first = platform.run('worker-sms');
    const { call, org } = await organisationOn(platform, ctx, port, 'Chaos Bakery');
    const batchId = await newBatch(platform, call, org.key, RECIPIENTS);

    await waitFor(() => Promise.resolve(smsc.received.length >= RECIPIENTS / 4), 'a quarter at the SMSC', 120_000);
    await first.kill('SIGKILL');
    const atKill = smsc.received.length;
    // The killed session's claims are those made before this moment (a claim statement it sent
    // just before its death may still commit after it, with its own start as claimed_at); the new
    // worker's are all made after. The database's own clock, to the microsecond.
    const killedAt = (await sql<{ at: string }>`SELECT now()::text AS at`.execute(ctx.db)).rows[0]!.at;
    platform.run('worker-sms');
    // Time passes: the killed session's claim is older than SMS_SENDING_TIMEOUT, and the sweep
    // makes its messages 'unknown' (the clock moved rather than waiting 10 minutes). It was told
    // by its age (older than 2 s), and a new worker that sent within 2 s of the kill (a quiet,
    // warm machine) left it young: never swept, the batch never completed (failed at 250 s).
    await waitFor(() => Promise.resolve(smsc.received.length > atKill), 'the new worker sending', 120_000);
    await sql`UPDATE sms_claims SET claimed_at = now() - interval '11 minutes' WHERE claimed_at <= ${killedAt}::timestamptz`.execute(ctx.db);

    await waitFor(
      async () => (await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', batchId).executeTakeFirst())?.status === 'completed',
      'the batch to complete',
      240_000,
    );
    const counts = await ctx.db.selectFrom('sms_messages').select(['status', sql<string>`count(*)`.as('n')]).where('batch_id', '=', batchId).groupBy('status').execute();
    const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
    const destinations = smsc.received.map((r) => r.destination);
    expect(new Set(destinations).size).toBe(destinations.length);
    expect(by.unknown ?? 0).toBeLessThanOrEqual(WINDOW);
    expect(by.failed ?? 0).toBe(0);
    expect((by.sent ?? 0) + (by.unknown ?? 0)).toBe(RECIPIENTS);
    // Every sent message is at the SMSC; the unknown ones may or may not be.
    expect(destinations.length).toBeGreaterThanOrEqual(by.sent ?? 0);
    console.log(`chaos 1: killed after ${atKill} at the SMSC; end ${JSON.stringify(by)}; ${destinations.length} at the SMSC`);
  });
});
