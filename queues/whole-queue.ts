// The dashboard's actions on every job of a queue (empty, clean), taken a slice at a time: one
// Lua script per SLICE jobs, so other clients' commands run between two slices. BullMQ's drain
// is one script over every waiting job (200,000 held Redis for 4-7 s here: every worker's
// command waited, and the shared connections' 5 s bound cut them), and its clean takes 10,000 a
// script (about 1 s each under load).
import type { Queue } from 'bullmq';
import { cleanJobsInSet } from 'bullmq/dist/esm/scripts/cleanJobsInSet-3.js';

/** Jobs a script: 0.6 s at most at load 13 (100,000 waiting). */
export const SLICE = 2_000;

/**
 * BullMQ's clean of a list marks the jobs it removes from the list's tail and then takes the
 * marks out with `LREM list 0 ''`, which reads the whole list: every slice cost more the longer
 * the wait list (LREM alone 5-7 ms a slice at 100,000 jobs, 15-21 ms at 300,000; 0.21 s and 1.24 s
 * a whole empty). The same script with that one line replaced: the tail it read is taken off
 * (LTRIM) and what stays in it (a job scheduler's next job) put back in its order (RPUSH), O(slice).
 * Should something else have moved the tail meanwhile (a parent put back into wait by a removed
 * child: not a job of this platform), the marks found there are not all of them: then BullMQ's LREM.
 * Null if the line is not found (another BullMQ): then BullMQ's own clean.
 */
const LREM_LINE = 'rcall("LREM", listKey, 0, deletionMarker)';
export const TAIL_CLEAN_SCRIPT: string | null = cleanJobsInSet.content.split(LREM_LINE).length === 2
  ? cleanJobsInSet.content.replace(
      LREM_LINE,
      `local tail = rcall("LRANGE", listKey, -jobIdsLen, -1)
  local kept = {}
  for _, id in ipairs(tail) do
    if id ~= deletionMarker then table.insert(kept, id) end
  end
  if jobIdsLen > 0 and #tail == jobIdsLen and #tail - #kept == deletedCount then
    rcall("LTRIM", listKey, 0, -jobIdsLen - 1)
    for at = 1, #kept, 1000 do rcall("RPUSH", listKey, unpack(kept, at, math.min(at + 999, #kept))) end
  elseif deletedCount > 0 then
    ${LREM_LINE}
  end`,
    )
  : null;

/** Up to `limit` (at most 10,000) jobs older than the grace from the wait list's tail (the oldest), as queue.clean(graceMs, limit, 'wait') removes them, in O(limit). */
async function cleanWaitTail(queue: Queue, graceMs: number, limit: number): Promise<string[]> {
  if (TAIL_CLEAN_SCRIPT === null) return queue.clean(graceMs, limit, 'wait');
  const client = (await queue.getBackend().client) as unknown as { eval(script: string, keys: number, ...args: (string | number)[]): Promise<string[]> };
  const ids = await client.eval(TAIL_CLEAN_SCRIPT, 3, queue.toKey('wait'), queue.toKey('events'), queue.toKey('repeat'), queue.toKey(''), Date.now() - graceMs, limit, 'wait');
  queue.emit('cleaned', ids, 'wait');
  return ids;
}

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
  do removed = status === 'wait' || status === 'waiting' ? await cleanWaitTail(queue, graceMs, SLICE) : await queue.clean(graceMs, SLICE, status);
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
      const ids = status === 'wait' ? await cleanWaitTail(queue, everyJob(), SLICE) : await queue.clean(everyJob(), SLICE, status);
      if (ids.length === 0) break;
      removed += ids.length;
    }
  }
  await queue.drain();
}
