// The producer side: one BullMQ Queue per queue name on one fail-fast connection, and
// enqueue() that validates each payload against the registry before it reaches Redis.
import { Queue, type JobsOptions } from 'bullmq';
import { createLongCommandConnection, createProducerConnection, type QueueSettings, type RedisClient } from './connection.js';
import { QUEUE_NAMES, type QueueName } from './names.js';
import { EVENTS_MAX_LEN, getJobOptions, jobIdFor } from './options.js';
import { JOBS, type JobName, type JobPayload } from './registry.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class QueueUnavailableError extends Error {
  constructor(status: string) {
    super(`Redis is not connected (${status})`);
    this.name = 'QueueUnavailableError';
  }
}

export interface JobRequest<N extends JobName = JobName> {
  name: N;
  payload: JobPayload<N>;
  options?: JobsOptions;
}

export class QueueSet {
  readonly connection: RedisClient;
  private readonly queues: ReadonlyMap<QueueName, Queue>;
  /** The same queues on a connection of their own with the long command bound; opened by the first whole-queue action. */
  private long: { connection: RedisClient; queues: ReadonlyMap<QueueName, Queue> } | undefined;
  private closed = false;

  constructor(readonly settings: QueueSettings) {
    this.connection = createProducerConnection(settings);
    this.queues = QueueSet.open(this.connection, settings.prefix);
  }

  private static open(connection: RedisClient, prefix: string): ReadonlyMap<QueueName, Queue> {
    // An 'error' listener keeps ioredis from printing every reconnect; readiness is reported by /readyz.
    connection.on('error', () => undefined);
    const queues = new Map(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, streams: { events: { maxLen: EVENTS_MAX_LEN } } })]));
    for (const queue of queues.values()) queue.on('error', () => undefined);
    return queues;
  }

  /**
   * The queue for an action on all of its jobs at once (the dashboard's empty, clean,
   * obliterate, promote all): its commands are bounded by `longCommandTimeoutMs`, not the
   * shared connection's bound: a script over a slice of a large queue may rightly take a second under load.
   */
  forWholeQueue(name: string): Queue {
    // A dashboard request still running as the process stops must not open a connection again.
    if (this.closed) throw new QueueUnavailableError('closed');
    if (!this.long) {
      const connection = createLongCommandConnection(this.settings);
      this.long = { connection, queues: QueueSet.open(connection, this.settings.prefix) };
    }
    const queue = this.long.queues.get(name as QueueName);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  get(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  /** Throws at once instead of waiting (BullMQ waits for a connection that is not ready): a caller's request must not hang while Redis is away. Every read of the queues for a request (depths, the dashboard) checks it first. */
  assertConnected(): void {
    if (this.connection.status !== 'ready') throw new QueueUnavailableError(this.connection.status);
  }

  /** Validates the payload with the job's schema and adds it; throws if Redis is unreachable. */
  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: JobsOptions): Promise<string> {
    this.assertConnected();
    const data = JOBS[name].payload.parse(payload) as JobPayload<N>;
    const job = await this.get(JOBS[name].queue).add(name, data, getJobOptions(name, data, options));
    return job.id ?? '';
  }

  /** Adds many jobs with one round trip per queue. */
  async enqueueMany(requests: readonly JobRequest[]): Promise<void> {
    this.assertConnected();
    const byQueue = new Map<QueueName, Parameters<Queue['addBulk']>[0]>();
    for (const { name, payload, options } of requests) {
      const data = JOBS[name].payload.parse(payload) as JobPayload<typeof name>;
      const list = byQueue.get(JOBS[name].queue) ?? [];
      list.push({ name, data, opts: getJobOptions(name, data, options) });
      byQueue.set(JOBS[name].queue, list);
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => this.get(queue).addBulk(jobs)));
  }

  /**
   * Adds each job unless a live one (waiting, active, delayed) has its id; a finished job of
   * the same id is removed first, since `add` with an existing id is a no-op. Returns how many
   * were added. For work whose row says it is due again (reconciler, deliberate resends).
   *
   * `followActive`: a job of that id that is running may already have read its rows before
   * the caller's commit and end without seeing them, so a follow-up job is added under an id
   * of its own (`<id>-after-<time>`). For a deliberate change (an ops resend); the reconciler
   * needs none, its next pass sees the row again. The job's rows must be claimed atomically:
   * the two runs may overlap.
   */
  async enqueueUnlessLive(requests: readonly JobRequest[], options: { followActive?: boolean } = {}): Promise<number> {
    this.assertConnected();
    const missing = await Promise.all(
      requests.map(async (request): Promise<JobRequest | undefined> => {
        const jobId = jobIdFor(request.name, request.payload as never);
        if (jobId === undefined) throw new Error(`job ${request.name} has no deterministic id`);
        const queue = this.get(JOBS[request.name].queue);
        const state = await queue.getJobState(jobId);
        if (state === 'active' && options.followActive) return { ...request, options: { ...request.options, jobId: `${jobId}-after-${Date.now().toString(36)}` } };
        if (LIVE_STATES.has(state)) return undefined;
        if (state !== 'unknown') await queue.remove(jobId);
        return request;
      }),
    );
    const due = missing.filter((r): r is JobRequest => r !== undefined);
    if (due.length > 0) await this.enqueueMany(due);
    return due.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const long = this.long;
    this.long = undefined;
    await Promise.all([...this.all(), ...(long?.queues.values() ?? [])].map((q) => q.close()));
    await Promise.all([this.connection, ...(long ? [long.connection] : [])].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
