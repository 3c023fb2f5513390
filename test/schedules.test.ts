// The cron jobs (retention purge, bounce mailbox, partitions, privacy deadlines) live in Redis as
// BullMQ job schedulers. Redis may lose them without the connection dropping (keys wiped, a
// failover to an empty replica behind a proxy): the scheduler role finds them missing on its
// check (every RECONCILE_INTERVAL_MS) and upserts them again, without a restart or reconnect.
import { describe, expect, it } from 'vitest';
import { SCHEDULES, missingSchedules } from '../workers/core/schedules.js';
import { createTestContext, started, waitFor } from './helpers/context.js';

const ctx = await createTestContext();
const config = ctx.configWith({ RECONCILE_INTERVAL_MS: '300' });

const warnings = () => ctx.logs.filter((l) => l.msg === 'job schedulers were missing from Redis: upserted again').map((l) => l.schedulers);

describe('job schedulers lost from Redis', () => {
  it('come back on their own after every key of the prefix is wiped, the connection never dropped', async () => {
    const runtime = await started(await ctx.start({ roles: ['scheduler'], config }));
    const { queues } = runtime.deps;
    expect(SCHEDULES.map((s) => s.id).sort()).toEqual(['privacy-daily', 'read-bounces', 'retention-purge', 'tem-partitions']);
    await waitFor(async () => (await missingSchedules(queues)).length === 0, 'every scheduler upserted at start');
    const reconnects = { count: 0 };
    queues.connection.on('ready', () => reconnects.count++);

    const keys = await ctx.redis.keys(`${ctx.prefix}:*`);
    await ctx.redis.del(...keys);
    expect(await missingSchedules(queues)).toHaveLength(SCHEDULES.length);
    await waitFor(async () => (await missingSchedules(queues)).length === 0, 'every scheduler back');
    expect(reconnects.count).toBe(0);
    expect(warnings().at(-1)).toEqual(SCHEDULES.map((s) => s.id));
    const purge = await queues.get('maintenance').getJobScheduler('retention-purge');
    expect(purge).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Amsterdam' });
  });

  it('a single lost one is upserted alone', async () => {
    const runtime = await started(await ctx.start({ roles: ['scheduler'], config }));
    const { queues } = runtime.deps;
    await waitFor(async () => (await missingSchedules(queues)).length === 0, 'every scheduler upserted at start');
    const before = warnings().length;
    const partitions = SCHEDULES.find((s) => s.id === 'tem-partitions');
    if (!partitions) throw new Error('no tem-partitions schedule');
    await queues.get(partitions.queue).removeJobScheduler(partitions.id);
    await waitFor(async () => (await missingSchedules(queues)).length === 0, 'the partitions scheduler back');
    expect(warnings().slice(before)).toEqual([['tem-partitions']]);
  });
});
