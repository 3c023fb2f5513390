// How long Bull Board's whole-queue actions take on a large queue, and how long each holds Redis:
// BullMQ's `drain` (one Lua script over every waiting job: Bull Board's own empty, the baseline),
// the dashboard's empty (`emptyInSlices`, 2,000 jobs a script) and `clean` of waiting jobs
// (BullMQ's, 10,000 a script). Redis's own
// measure of each script comes from SLOWLOG (µs the server spent in it), beside the wall time.
// BENCH_EMPTY_JOBS (200,000), BENCH_EMPTY_REDIS_URL (default: a redis-server of its own on a free
// loopback port), BENCH_EMPTY_ROUNDS (2). Not the shared Redis by default: a drain of 200,000 is
// one script of 4-12 s, and Redis answers every other client BUSY past 5 s (the test runs beside
// it failed).
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { emptyInSlices } from '../queues/whole-queue.js';
import { startOwnRedis } from '../test/helpers/own-redis.js';

const JOBS = Number(process.env.BENCH_EMPTY_JOBS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_EMPTY_ROUNDS ?? 2);
const own = process.env.BENCH_EMPTY_REDIS_URL ? undefined : await startOwnRedis();
const url = process.env.BENCH_EMPTY_REDIS_URL ?? own!.url;

async function fill(queue: Queue): Promise<void> {
  const data = { batchId: '00000000-0000-0000-0000-000000000000', organizationId: '00000000-0000-0000-0000-000000000000', chunk: 1 };
  for (let added = 0; added < JOBS; added += 5_000) {
    await queue.addBulk(Array.from({ length: Math.min(5_000, JOBS - added) }, () => ({ name: 'sms.chunk', data })));
  }
}

/** The server's microseconds in scripts since `since` (SLOWLOG entries slower than 10 ms). */
async function scriptMicros(redis: Redis, since: number): Promise<number[]> {
  const entries = (await redis.slowlog('GET', 128)) as [number, number, number, string[]][];
  return entries.filter(([, at, , args]) => at >= since && /^evalsha|^eval/i.test(args[0] ?? '')).map(([, , micros]) => micros);
}

const redis = new Redis(url);
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const action of ['drain', 'empty in slices', 'clean'] as const) {
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue('bench-empty', { connection, prefix: `bench-empty-${process.pid}-${round}-${action.replaceAll(' ', '-')}` });
    await fill(queue);
    const since = Math.floor(Date.now() / 1000);
    const began = performance.now();
    if (action === 'drain') await queue.drain();
    else if (action === 'empty in slices') await emptyInSlices(queue);
    else await queue.clean(0, Number.MAX_SAFE_INTEGER, 'wait');
    const wallMs = performance.now() - began;
    const scripts = await scriptMicros(redis, since);
    const longest = Math.max(0, ...scripts) / 1000;
    const total = scripts.reduce((a, b) => a + b, 0) / 1000;
    const left = (await queue.getJobCounts('wait')).wait;
    console.log(JSON.stringify({ round, action, jobs: JOBS, wallMs: Math.round(wallMs), scripts: scripts.length, longestScriptMs: Math.round(longest), scriptsMs: Math.round(total), left }));
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  }
}
await redis.quit();
await own?.stop();
