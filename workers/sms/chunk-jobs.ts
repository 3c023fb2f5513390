import type { JobRequest } from '../../queues/queue-set.js';
import { chunkPriority } from '../core/chunk-priority.js';

export function chunkJobs(batchId: string, chunks: readonly number[]): JobRequest<'sms.send-chunk'>[] {
  return chunks.map((chunk) => ({ name: 'sms.send-chunk', payload: { batchId, chunk }, options: { priority: chunkPriority(chunk) } }));
}
