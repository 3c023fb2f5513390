// The dashboard's actions on every job of a queue (empty, clean), taken a slice at a time: one
// Lua script per SLICE jobs, so other clients' commands run between two slices. BullMQ's drain
// is one script over every waiting job (200,000 held Redis for 4-7 s here: every worker's
// command waited, and the shared connections' 5 s bound cut them), and its clean takes 10,000 a
// script (about 1 s each under load).
import type { Queue } from 'bullmq';

/** Jobs a script: 0.6 s at most at load 13 (100,000 waiting). Clean's LREM reads the whole list each slice, so a slice grows with the list's length. */
export const SLICE = 2_000;

type CleanStatus = Parameters<Queue['clean']>[2];

/**
 * A grace that makes every job old enough for clean. BullMQ's scripts compare a job's
 * timestamp with the cut-off as strings, so the cut-off must keep the 13 digits of today's
 * millisecond timestamps: 9,000,000,000,000 is in the year 2255.
 */
const everyJob = () => Date.now() - 9_000_000_000_000;

/** Bull Board's clean (jobs of `status` older than the grace), as BullMQ's clean does it: until a slice removes fewer than it could. */
export async function cleanInSlices(queue: Queue, graceMs: number, status: CleanStatus): Promise<void> {
  let removed: string[];
  do removed = await queue.clean(graceMs, SLICE, status);
  while (removed.length === SLICE);
}

/**
 * Bull Board's empty (BullMQ's drain: every waiting and prioritized job, a job scheduler's next
 * run kept): the jobs there at the start go a slice at a time; a last drain takes what producers
 * added meanwhile, so the end state is drain's and the loop cannot be kept going by them.
 */
export async function emptyInSlices(queue: Queue): Promise<void> {
  const counts = await queue.getJobCounts('wait', 'prioritized');
  for (const status of ['wait', 'prioritized'] as const) {
    for (let removed = 0; removed < (counts[status] ?? 0); ) {
      const ids = await queue.clean(everyJob(), SLICE, status);
      if (ids.length === 0) break;
      removed += ids.length;
    }
  }
  await queue.drain();
}
