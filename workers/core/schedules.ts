// Job schedulers live in Redis, which may lose them: upsert them again on every Redis 'ready'.
import type { QueueSet } from '../../queues/queue-set.js';
import type { QueueName } from '../../queues/names.js';
import { DEFAULT_JOB_OPTIONS } from '../../queues/options.js';
import type { JobName } from '../../queues/registry.js';
import type { Logger } from './logger.js';
import { describeError } from './errors.js';

export interface Schedule {
  readonly id: string;
  readonly queue: QueueName;
  readonly job: JobName;
  readonly pattern: string;
  readonly tz: string;
}

export const SCHEDULES: readonly Schedule[] = [
  { id: 'retention-purge', queue: 'maintenance', job: 'maintenance.retention-purge', pattern: '0 3 * * *', tz: 'Europe/Amsterdam' },
  { id: 'tem-partitions', queue: 'maintenance', job: 'maintenance.tem-partitions', pattern: '30 2 * * *', tz: 'Europe/Amsterdam' },
];

export async function upsertSchedules(queues: QueueSet, schedules: readonly Schedule[] = SCHEDULES): Promise<void> {
  for (const s of schedules) {
    await queues.get(s.queue).upsertJobScheduler(s.id, { pattern: s.pattern, tz: s.tz }, {
      name: s.job,
      data: {},
      opts: { removeOnComplete: DEFAULT_JOB_OPTIONS.removeOnComplete, removeOnFail: DEFAULT_JOB_OPTIONS.removeOnFail, attempts: 3 },
    });
  }
}

/** Upserts now and after every reconnect; returns the listener's remover. */
export function keepSchedules(queues: QueueSet, logger: Logger): () => void {
  const upsert = () => {
    upsertSchedules(queues).then(
      () => logger.info({ count: SCHEDULES.length }, 'job schedulers upserted'),
      (error: unknown) => logger.warn({ error: describeError(error) }, 'could not upsert job schedulers'),
    );
  };
  queues.connection.on('ready', upsert);
  if (queues.connection.status === 'ready') upsert();
  return () => queues.connection.off('ready', upsert);
}
