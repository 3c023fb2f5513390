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

/** The server's microseconds in each `command` since the SLOWLOG was reset, oldest first (those of more than 1 ms: see below). */
async function micros(redis: Redis, command: RegExp): Promise<number[]> {
  const entries = (await redis.slowlog('GET', -1)) as [number, number, number, string[]][];
  return entries
    .filter(([, , , args]) => command.test(args[0] ?? ''))
    .map(([, , us]) => us)
    .reverse();
}

const ms = (micros: number) => Math.round(micros / 100) / 10;

const redis = new Redis(url);
// Every command of more than 1 ms into the SLOWLOG (a slice's script takes tens; the commands
// inside a script are logged too, each a few µs), and room for every slice's script (150 at
// 300,000 jobs): the bench's own server (or one named for it), never the shared one.
await redis.config('SET', 'slowlog-log-slower-than', '1000');
await redis.config('SET', 'slowlog-max-len', '100000');
const ACTIONS = (process.env.BENCH_EMPTY_ACTIONS ?? 'drain,empty in slices,clean').split(',');
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const action of ACTIONS) {
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue('bench-empty', { connection, prefix: `bench-empty-${process.pid}-${round}-${action.replaceAll(' ', '-')}` });
    await fill(queue);
    await redis.slowlog('RESET');
    const began = performance.now();
    if (action === 'drain') await queue.drain();
    else if (action === 'empty in slices') await emptyInSlices(queue);
    else await queue.clean(0, Number.MAX_SAFE_INTEGER, 'wait');
    const wallMs = performance.now() - began;
    const scripts = await micros(redis, /^evalsha$|^eval$/i);
    // Inside the scripts: BullMQ's clean of a list ends each slice with an LREM over the whole list.
    const lrem = await micros(redis, /^lrem$/i);
    // The slices' scripts, in order (getJobCounts' take microseconds: not logged).
    const slices = scripts;
    const sorted = [...slices].sort((a, b) => a - b);
    const left = (await queue.getJobCounts('wait')).wait;
    console.log(
      JSON.stringify({
        round,
        action,
        jobs: JOBS,
        wallMs: Math.round(wallMs),
        scripts: slices.length,
        longestScriptMs: ms(Math.max(0, ...slices)),
        firstMs: ms(slices[0] ?? 0),
        medianMs: ms(sorted[Math.floor(sorted.length / 2)] ?? 0),
        lastMs: ms(slices.at(-1) ?? 0),
        scriptsMs: ms(scripts.reduce((a, b) => a + b, 0)),
        lremMs: ms(lrem.reduce((a, b) => a + b, 0)),
        firstLremMs: ms(lrem[0] ?? 0),
        left,
      }),
    );
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  }
}
await redis.quit();
await own?.stop();
