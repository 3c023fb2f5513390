// The dashboard's empty and clean in slices (queues/whole-queue.ts): the same end state as
// BullMQ's drain and clean, a slice of jobs a script. Each case on a queue prefix of its own.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { SLICE, cleanInSlices, emptyInSlices } from '../queues/whole-queue.js';
import { REDIS_URL } from './helpers/env.js';

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
