// Chaos case 4: the SMSC unreachable for 30 seconds mid-batch (the test SMSC closed: every
// session dropped and binds refused, then a new SMSC on the same port). The messages wait and
// go once it is back; none is marked failed for it; nobody reaches the SMSC twice. Only the
// window in flight when the link dropped may be 'unknown' (ARCHITECTURE.md, rule 4).
// About 1.5 minutes.
import { sql } from 'kysely';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { startSmsc, type ReceivedSubmit, type TestSmsc } from '../helpers/smsc.js';
import { chaosEnv, fleet, freePort, organisationOn } from './processes.js';
import { newBatch } from './sms-batch.js';
// The claim window of send-chunk, which the SMPP provider takes whole without a rate: what one
// session has in flight with WORKER_CONCURRENCY=1, and the most a fault may leave 'unknown'.
import { WINDOW } from '../../workers/sms/send-chunk.js';

const RECIPIENTS = 3_000;
const AWAY_MS = 30_000;

const ctx = await createTestContext();
let smsc: TestSmsc = await startSmsc();
const before: ReceivedSubmit[] = [];
const port = await freePort();
const platform = fleet(chaosEnv(ctx, port, {
  SMS_PROVIDER: 'smpp',
  SMPP_URL: smsc.url,
  WORKER_CONCURRENCY: '1',
  RECONCILE_INTERVAL_MS: '2000',
}));
afterAll(async () => {
  await platform.stopAll();
  await smsc.close();
});

const statusCounts = async (batchId: string) => {
  const rows = await ctx.db.selectFrom('sms_messages').select(['status', sql<string>`count(*)`.as('n')]).where('batch_id', '=', batchId).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
};

describe('chaos: the SMSC away for 30 seconds mid-batch', () => {
  it('holds the messages back and sends them when it is back, none failed, nobody twice', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    platform.run('web');
    platform.run('scheduler');
    platform.run('worker-sms');
    const { call, org } = await organisationOn(platform, ctx, port, 'Chaos Kapper');
    const batchId = await newBatch(platform, call, org.key, RECIPIENTS);

    await waitFor(() => Promise.resolve(smsc.received.length >= RECIPIENTS / 5), 'a fifth at the SMSC', 120_000);
    const smscPort = smsc.port;
    await smsc.close();
    before.push(...smsc.received);
    const awaySince = Date.now();
    // While it is away: nothing failed for it, and (after the window that was in flight) nothing moves.
    await new Promise((r) => setTimeout(r, AWAY_MS));
    const during = await statusCounts(batchId);
    expect(during.failed ?? 0).toBe(0);
    expect(during.queued ?? 0).toBeGreaterThan(0);
    smsc = await startSmsc(smscPort);
    const awayMs = Date.now() - awaySince;

    await waitFor(async () => (await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', batchId).executeTakeFirst())?.status === 'completed', 'the batch to complete', 240_000);
    const by = await statusCounts(batchId);
    const destinations = [...before, ...smsc.received].map((r) => r.destination);
    expect(new Set(destinations).size).toBe(destinations.length);
    expect(smsc.received.length).toBeGreaterThan(0);
    expect(by.failed ?? 0).toBe(0);
    expect(by.unknown ?? 0).toBeLessThanOrEqual(WINDOW);
    expect((by.sent ?? 0) + (by.unknown ?? 0)).toBe(RECIPIENTS);
    expect(destinations.length).toBeGreaterThanOrEqual(by.sent ?? 0);
    console.log(`chaos 4: ${before.length} before, away ${awayMs} ms, ${smsc.received.length} after; during ${JSON.stringify(during)}; end ${JSON.stringify(by)}`);
  });
});
