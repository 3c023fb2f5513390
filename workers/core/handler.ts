import type { Job } from 'bullmq';
import type { JobName, JobPayload, JobResult } from '../../queues/registry.js';
import type { Deps } from './deps.js';
import type { Logger } from './logger.js';

export interface JobContext {
  readonly deps: Deps;
  readonly job: Job;
  /** Scoped to worker, queue, job name, job id and attempt. */
  readonly log: Logger;
  /** Aborted when the process shuts down past its deadline: stop, and let the job run again. */
  readonly signal: AbortSignal;
}

export type Handler<N extends JobName> = (payload: JobPayload<N>, ctx: JobContext) => Promise<JobResult>;

/** One handler per job name: a job without a handler does not compile. */
export type HandlerMap = { readonly [N in JobName]: Handler<N> };
