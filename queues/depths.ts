// How full each queue is, read from BullMQ's own counters and the head of its wait list: a few
// commands per queue, never a scan of Redis keys. For /metrics and /ops/status.
import type { Queue } from 'bullmq';
import type { QueueName } from './names.js';
import type { QueueSet } from './queue-set.js';

export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
export type DepthState = (typeof DEPTH_STATES)[number];

export interface QueueDepth {
  readonly queue: QueueName;
  readonly jobs: Readonly<Record<DepthState, number>>;
  /** Seconds since the oldest waiting job became due (0 when none waits). */
  readonly oldestWaitingSeconds: number;
}

async function oldestWaitingSeconds(queue: Queue, now: number): Promise<number> {
  // asc: the end of the wait list the workers take from, so the job that has waited longest.
  const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
  if (!oldest) return 0;
  const due = oldest.timestamp + (oldest.opts.delay ?? 0);
  return Math.max(0, (now - due) / 1000);
}

/** Throws QueueUnavailableError at once while Redis is away (BullMQ would wait for it). */
export async function readDepths(queues: QueueSet, now = Date.now()): Promise<QueueDepth[]> {
  queues.assertConnected();
  return Promise.all(
    queues.all().map(async (queue) => {
      const [counts, oldest] = await Promise.all([queue.getJobCounts(...DEPTH_STATES), oldestWaitingSeconds(queue, now)]);
      const jobs = Object.fromEntries(DEPTH_STATES.map((state) => [state, counts[state] ?? 0])) as Record<DepthState, number>;
      return { queue: queue.name as QueueName, jobs, oldestWaitingSeconds: oldest };
    }),
  );
}
