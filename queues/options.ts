// Per-job options decided in one function: id policy, retries, backoff, retention in Redis.
import type { JobsOptions } from 'bullmq';
import { JOBS, type JobName, type JobPayload } from './registry.js';

export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
} as const satisfies JobsOptions;

/** Approximate cap of each queue's events stream in Redis. */
export const EVENTS_MAX_LEN = 2_000;

export function jobIdFor<N extends JobName>(name: N, payload: JobPayload<N>): string | undefined {
  const definition = JOBS[name] as { jobId?: (p: JobPayload<N>) => string };
  const id = definition.jobId?.(payload);
  if (id !== undefined && (id.includes(':') || /^\d+$/.test(id))) {
    // BullMQ reserves ':' for its keys and integer-looking ids for its own counter.
    throw new Error(`job id for ${name} must contain no ':' and not be a bare integer`);
  }
  return id;
}

export function getJobOptions<N extends JobName>(name: N, payload: JobPayload<N>, extra: JobsOptions = {}): JobsOptions {
  const definition = JOBS[name] as { attempts?: number; priority?: number };
  const jobId = jobIdFor(name, payload);
  return {
    ...DEFAULT_JOB_OPTIONS,
    ...(definition.attempts !== undefined && { attempts: definition.attempts }),
    ...(definition.priority !== undefined && { priority: definition.priority }),
    ...(jobId !== undefined && { jobId }),
    ...extra,
  };
}
