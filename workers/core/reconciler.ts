// The reconciler (DESIGN rule 3): Postgres is the record, Redis may lose everything. On a timer
// in the scheduler role, under an advisory lock so only one runs, it enqueues every row that
// is due but has no live job, and turns rows stuck mid-send into 'unknown'.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { jobIdFor } from '../../queues/options.js';
import { QueueUnavailableError, type JobRequest } from '../../queues/queue-set.js';
import { JOBS } from '../../queues/registry.js';
import type { Deps } from './deps.js';
import { describeError } from './errors.js';

export interface DueWorkSource {
  readonly name: string;
  /** Jobs that should exist for rows that are due now; each must have a deterministic job id. */
  due(db: Kysely<Database>, limit: number): Promise<JobRequest[]>;
  /** Housekeeping before `due`, such as moving stale 'sending' rows to 'unknown'. */
  sweep?(db: Kysely<Database>): Promise<number>;
}

/** Arbitrary, fixed: the advisory lock key of the reconciler. */
const RECONCILER_LOCK = 72_616_001;
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const BATCH = 1_000;

export interface ReconcileReport {
  readonly enqueued: number;
  readonly swept: number;
  /** Sources whose jobs could not be enqueued (Redis away); the sweep still commits. */
  readonly failed: readonly string[];
}

/** Runs one pass; returns null when another process holds the lock. */
export async function reconcileOnce(deps: Deps, sources: readonly DueWorkSource[]): Promise<ReconcileReport | null> {
  return deps.db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${RECONCILER_LOCK}) AS locked`.execute(trx);
    if (!lock.rows[0]?.locked) return null;
    let enqueued = 0;
    let swept = 0;
    const failed: string[] = [];
    for (const source of sources) {
      swept += (await source.sweep?.(trx)) ?? 0;
      const requests = await source.due(trx, BATCH);
      try {
        if (!deps.queues.isConnected()) throw new QueueUnavailableError(deps.queues.connection.status);
        const missing = await withoutLiveJob(deps, requests);
        if (missing.length > 0) await deps.queues.enqueueMany(missing);
        enqueued += missing.length;
      } catch (error) {
        // Redis is away: keep the sweep, try the enqueue again next pass.
        deps.logger.warn({ source: source.name, error: describeError(error) }, 'reconciler could not enqueue');
        failed.push(source.name);
      }
    }
    return { enqueued, swept, failed };
  });
}

/** Keeps the requests whose job is gone or finished, removing a finished job so `add` is not a no-op. */
async function withoutLiveJob(deps: Deps, requests: readonly JobRequest[]): Promise<JobRequest[]> {
  const checks = await Promise.all(
    requests.map(async (request) => {
      const jobId = jobIdFor(request.name, request.payload as never);
      if (jobId === undefined) throw new Error(`job ${request.name} has no deterministic id; the reconciler cannot track it`);
      const queue = deps.queues.get(JOBS[request.name].queue);
      const state = await queue.getJobState(jobId);
      if (LIVE_STATES.has(state)) return undefined;
      if (state !== 'unknown') await queue.remove(jobId);
      return request;
    }),
  );
  return checks.filter((r): r is JobRequest => r !== undefined);
}

/** Runs reconcileOnce every interval until stopped; a failed pass is logged and retried next time. */
export function startReconciler(deps: Deps, sources: readonly DueWorkSource[], intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = reconcileOnce(deps, sources)
      .then((report) => {
        if (report && (report.enqueued > 0 || report.swept > 0)) deps.logger.info(report, 'reconciler enqueued due work');
      })
      .catch((error: unknown) => deps.logger.warn({ error: describeError(error) }, 'reconciler pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
