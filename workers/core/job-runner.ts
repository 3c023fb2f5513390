// The worker boundary: every job's payload is parsed again (a job in Redis is data from the
// past), dispatched to its handler, and whatever leaves is sanitised (ARCHITECTURE.md, rule 2).
import { hostname } from 'node:os';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import { workerConnection } from '../../queues/connection.js';
import type { QueueName } from '../../queues/names.js';
import { JOBS, isJobName, type JobName, type JobResult } from '../../queues/registry.js';
import type { Deps } from './deps.js';
import { PermanentJobError, describeError, sanitizeError } from './errors.js';
import type { Handler, HandlerMap } from './handler.js';
import { intakeIdle } from './intake-gate.js';

export type RunnerOptions = Partial<Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'limiter'>>;

function safeName(name: string): string {
  return /^[\w.-]{1,64}$/.test(name) ? name : '(unprintable)';
}

export function createJobProcessor(queue: QueueName, deps: Deps, handlers: HandlerMap) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const log = deps.logger.child({ queue, job: safeName(job.name), jobId: job.id, attempt: job.attemptsMade + 1 });
    const finished = deps.metrics.jobDuration.startTimer({ queue, job: safeName(job.name) });
    try {
      if (!isJobName(job.name) || JOBS[job.name].queue !== queue) {
        throw new PermanentJobError(`no handler for job ${safeName(job.name)} on queue ${queue}`);
      }
      const parsed = JOBS[job.name].payload.safeParse(job.data);
      if (!parsed.success) {
        // Paths and issue codes only: the received values could be anything.
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ');
        throw new PermanentJobError(`invalid payload for ${job.name}: ${issues}`);
      }
      const handler: Handler<JobName> = handlers[job.name];
      await intakeIdle();
      const result = await handler(parsed.data, { deps, job, log, signal: signal ?? new AbortController().signal });
      deps.metrics.jobsFinished.inc({ queue, job: job.name, outcome: 'completed' });
      finished({ outcome: 'completed' });
      return result;
    } catch (error) {
      const safe = sanitizeError(error);
      deps.metrics.jobsFinished.inc({ queue, job: safeName(job.name), outcome: 'failed' });
      finished({ outcome: 'failed' });
      log.warn({ error: describeError(safe) }, 'job failed');
      throw safe;
    }
  };
}

const WORKER_NAME = `${hostname().replace(/[^\w.-]/g, '_')}:${process.pid}`;

export function startQueueWorker(queue: QueueName, deps: Deps, handlers: HandlerMap, options: RunnerOptions = {}): Worker {
  const { connection, release } = workerConnection(deps.queues.settings);
  const worker = new Worker(queue, createJobProcessor(queue, deps, handlers), {
    connection,
    prefix: deps.queues.settings.prefix,
    // Each job records which process ran it (processedBy, shown by the dashboard): machine and pid.
    name: WORKER_NAME,
    concurrency: 4,
    ...options,
  });
  worker.on('error', (error) => deps.logger.error({ queue, error: describeError(error) }, 'worker error'));
  worker.once('closed', release);
  return worker;
}

/** Stops taking work, lets running jobs finish until the deadline, then aborts them (they run again). */
export async function closeWorker(worker: Worker, deadlineMs: number): Promise<'drained' | 'aborted'> {
  const closing = worker.close();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'aborted'>((resolve) => {
    timer = setTimeout(() => resolve('aborted'), deadlineMs);
  });
  const outcome = await Promise.race([closing.then(() => 'drained' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'aborted') {
    worker.cancelAllJobs('shutdown');
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }
  return outcome;
}
