// Job schedulers live in Redis, which may lose them: upsert them again on every Redis 'ready'
// (a restart without persistence drops the connection), and whenever a check on the interval
// finds one missing (keys wiped or evicted while the connection stayed up: no 'ready' comes).
import type { QueueSet } from '../../queues/queue-set.js';
import type { QueueName } from '../../queues/names.js';
import { DEFAULT_JOB_OPTIONS } from '../../queues/options.js';
import type { JobOn } from '../../queues/job.js';
import { JOBS, type JobName } from '../../queues/registry.js';
import type { Logger } from './logger.js';
import { describeError } from './errors.js';

export interface Schedule {
  readonly id: string;
  readonly queue: QueueName;
  readonly job: JobName;
  readonly pattern: string;
  readonly tz: string;
  readonly attempts: number;
}

/** Every job whose definition carries a cron pattern (queues/<family>.ts). */
export const SCHEDULES: readonly Schedule[] = (Object.keys(JOBS) as JobName[]).flatMap((job) => {
  const definition: JobOn<QueueName> = JOBS[job];
  return definition.schedule
    ? [{ ...definition.schedule, queue: definition.queue, job, attempts: definition.attempts ?? DEFAULT_JOB_OPTIONS.attempts }]
    : [];
});

export async function upsertSchedules(queues: QueueSet, schedules: readonly Schedule[] = SCHEDULES): Promise<void> {
  for (const s of schedules) {
    await queues.get(s.queue).upsertJobScheduler(s.id, { pattern: s.pattern, tz: s.tz }, {
      name: s.job,
      data: {},
      opts: { removeOnComplete: DEFAULT_JOB_OPTIONS.removeOnComplete, removeOnFail: DEFAULT_JOB_OPTIONS.removeOnFail, attempts: s.attempts },
    });
  }
}

/** The schedules whose job scheduler is not in Redis. */
export async function missingSchedules(queues: QueueSet, schedules: readonly Schedule[] = SCHEDULES): Promise<Schedule[]> {
  const found = await Promise.all(schedules.map((s) => queues.get(s.queue).getJobScheduler(s.id)));
  return schedules.filter((_, i) => !found[i]);
}

/** Upserts now, after every reconnect, and whenever the check every `checkEveryMs` finds one missing; returns the stopper. */
export function keepSchedules(queues: QueueSet, logger: Logger, checkEveryMs: number): () => void {
  let busy = false;
  const once = (work: () => Promise<void>) => {
    if (busy) return;
    busy = true;
    work()
      .catch((error: unknown) => logger.warn({ error: describeError(error) }, 'could not upsert job schedulers'))
      .finally(() => {
        busy = false;
      });
  };
  const upsertAll = () =>
    once(async () => {
      await upsertSchedules(queues);
      logger.info({ count: SCHEDULES.length }, 'job schedulers upserted');
    });
  const restoreMissing = () =>
    once(async () => {
      if (queues.connection.status !== 'ready') return; // the next 'ready' upserts them all
      const missing = await missingSchedules(queues);
      if (missing.length === 0) return;
      await upsertSchedules(queues, missing);
      logger.warn({ schedulers: missing.map((s) => s.id) }, 'job schedulers were missing from Redis: upserted again');
    });
  queues.connection.on('ready', upsertAll);
  if (queues.connection.status === 'ready') upsertAll();
  const timer = setInterval(restoreMissing, checkEveryMs);
  return () => {
    clearInterval(timer);
    queues.connection.off('ready', upsertAll);
  };
}
