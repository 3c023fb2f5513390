import type { JobRequest } from '../../queues/queue-set.js';

/** BullMQ's highest usable priority number. */
const LOWEST = 2 ** 21 - 1;

/**
 * Fairness by chunk priority: chunk k of every batch runs at priority k + 1, so the first
 * chunk of a 10-message batch overtakes chunk 900 of another organisation's million.
 */
export function chunkJobs(batchId: string, chunks: readonly number[]): JobRequest<'sms.send-chunk'>[] {
  return chunks.map((chunk) => ({ name: 'sms.send-chunk', payload: { batchId, chunk }, options: { priority: Math.min(chunk + 1, LOWEST) } }));
}
