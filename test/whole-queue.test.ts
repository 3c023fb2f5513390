// The dashboard's empty and clean in slices (queues/whole-queue.ts): the same end state as
// BullMQ's drain and clean, a slice of jobs a script. Each case on a queue prefix of its own.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SLICE, TAIL_CLEAN_SCRIPT, cleanInSlices, emptyInSlices } from '../queues/whole-queue.js';
import { REDIS_URL } from './helpers/env.js';
import { startOwnRedis } from './helpers/own-redis.js';

const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queues: Queue[] = [];
afterAll(async () => {
  for (const queue of queues) await queue.obliterate({ force: true }).then(() => queue.close());
  await connection.quit();
});

function queue(): Queue {
  const made = new Queue('whole', { connection, prefix: `test-whole-${randomUUID()}` });
  queues.push(made);
  return made;
}

const add = (q: Queue, count: number, opts: Parameters<Queue['add']>[2] = {}) =>
  q.addBulk(Array.from({ length: count }, () => ({ name: 'filler', data: {}, opts })));

it('cleans the jobs past the grace over several slices and keeps the younger ones', async () => {
  const q = queue();
  const hourAgo = Date.now() - 3_600_000;
  await add(q, 2 * SLICE + 500, { timestamp: hourAgo });
  await add(q, 10);
  await cleanInSlices(q, 60_000, 'wait');
  expect((await q.getJobCounts('wait')).wait).toBe(10);
});

it('empties waiting and prioritized jobs over several slices, and keeps delayed ones as drain does', async () => {
  const q = queue();
  await add(q, 2 * SLICE + 1);
  await add(q, SLICE + 1, { priority: 5 });
  await add(q, 3, { delay: 3_600_000 });
  await emptyInSlices(q);
  expect(await q.getJobCounts('wait', 'prioritized', 'delayed')).toEqual({ wait: 0, prioritized: 0, delayed: 3 });
});

// BullMQ's clean of a list takes its marks out with LREM over the whole list, once a slice: each
// slice of the empty cost more the longer the wait list (LREM 15-21 ms a slice at 300,000 jobs,
// 1.24 s in all; bench/JOURNAL.md, 6 December). The empty now takes each slice off the tail.
// Counted on a Redis of the test's own (its command statistics are the server's: BullMQ's workers
// elsewhere run LREM on the shared one), not timed.
describe('the empty, slice by slice, on a Redis of its own', () => {
  const commandCalls = async (redis: Redis, command: string) => {
    const line = (await redis.info('commandstats')).split('\n').find((l) => l.startsWith(`cmdstat_${command}:`));
    return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
  };

  it('reads no more of the wait list than a slice per script (no LREM over the list), oldest first, and keeps a job scheduler\'s next job where it was', async () => {
    expect(TAIL_CLEAN_SCRIPT).not.toBeNull();
    const own = await startOwnRedis();
    const redis = new Redis(own.url, { maxRetriesPerRequest: null });
    try {
      const q = new Queue('whole', { connection: redis, prefix: 'test-whole-own' });
      await add(q, 100);
      await q.upsertJobScheduler('nightly', { every: 3_600_000, immediately: true }, { name: 'purge', data: {} });
      await add(q, 2 * SLICE);
      const wait = q.toKey('wait');
      const scheduled = (await redis.lrange(wait, 0, -1)).filter((id) => id.startsWith('repeat:'));
      expect(scheduled).toHaveLength(1);
      const oldest = (await redis.lrange(wait, -SLICE, -1)).filter((id) => id !== scheduled[0]);
      const cleaned: string[][] = [];
      q.on('cleaned', (ids: string[]) => cleaned.push(ids));
      await redis.config('RESETSTAT');
      await emptyInSlices(q);
      expect(await commandCalls(redis, 'lrem')).toBe(0);
      // Slice by slice from the tail, the oldest first, as BullMQ's clean takes them; the scheduler's
      // job stays at the tail, in each slice read (a last slice finds only it).
      expect(cleaned.map((ids) => ids.length)).toEqual([SLICE - 1, SLICE - 1, 102, 0]);
      expect(cleaned[0]).toEqual(oldest);
      expect(await redis.lrange(wait, 0, -1)).toEqual(scheduled);
      expect(await redis.exists(q.toKey(scheduled[0]!))).toBe(1);
      expect(await redis.exists(q.toKey(cleaned[0]![0]!))).toBe(0);
      await q.close();
    } finally {
      redis.disconnect();
      await own.stop();
    }
  });
});
