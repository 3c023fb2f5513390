// Chaos case 6: the retention purge killed half-way (the scheduler SIGKILLed mid-run). The next
// run (BullMQ runs the stalled job again once the scheduler is back) finishes it, and the counts
// that retention_runs recorded add up to the rows that were due.
import { sql } from 'kysely';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { QueueSet } from '../../queues/queue-set.js';
import { createTestContext, waitFor } from '../helpers/context.js';
import { chaosEnv, fleet } from './processes.js';

const DUE = 200_000;
const ctx = await createTestContext();
const platform = fleet(chaosEnv(ctx, undefined, { PURGE_BATCH_SIZE: '1000', JOB_LOCK_MS: '5000' }));
const queues = new QueueSet({ redisUrl: ctx.config.redisUrl, prefix: ctx.prefix });
afterAll(async () => {
  await platform.stopAll();
  await queues.close();
});

const removedSoFar = async () =>
  Number((await sql<{ n: string }>`SELECT coalesce(sum((removed->>'mail.outbox')::bigint), 0) AS n FROM retention_runs`.execute(ctx.db)).rows[0]?.n ?? 0);

describe('chaos: retention purge killed half-way', () => {
  it('is finished by the next run, and the counts add up', async () => {
    await sql`INSERT INTO mail_outbox (message_id, envelope_from, envelope_to, subject, raw, created_at)
      SELECT 'm' || i, 'noreply@tgg.test', ARRAY['r' || i || '@example.nl'], 'Onderwerp', 'raw', now() - interval '40 days'
      FROM generate_series(1, ${DUE}) i`.execute(ctx.db);
    onTestFailed(() => console.warn(platform.tails()));
    const first = platform.run('scheduler');
    await waitFor(() => Promise.resolve(queues.connection.status === 'ready'), 'Redis');
    await queues.enqueue('maintenance.retention-purge', {});
    await waitFor(async () => (await removedSoFar()) >= DUE / 10, 'a tenth purged', 120_000);
    await first.kill('SIGKILL');
    const atKill = await removedSoFar();
    expect(atKill).toBeLessThan(DUE);
    platform.run('scheduler');
    await waitFor(async () => (await ctx.db.selectFrom('retention_runs').select('id').where('finished_at', 'is not', null).executeTakeFirst()) ?? undefined, 'a finished run', 180_000);
    const left = await sql<{ n: string }>`SELECT count(*) AS n FROM mail_outbox WHERE created_at < now() - interval '30 days'`.execute(ctx.db);
    expect(Number(left.rows[0]?.n)).toBe(0);
    expect(await removedSoFar()).toBe(DUE);
    const runs = await ctx.db.selectFrom('retention_runs').select(['finished_at']).execute();
    expect(runs.some((r) => r.finished_at === null)).toBe(true); // the killed one
    console.log(`chaos 6: killed after ${atKill} of ${DUE}; ${runs.length} runs`);
  });
});
