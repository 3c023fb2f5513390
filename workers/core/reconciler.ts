// The reconciler (ARCHITECTURE.md, rule 3): Postgres is the record, Redis may lose everything. On
// a timer in the scheduler role, under an advisory lock so only one runs, it enqueues every row
// that is due but has no live job, and turns rows stuck mid-send into 'unknown'.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import type { JobName } from '../../queues/registry.js';
import type { Deps } from './deps.js';
import { describeError } from './errors.js';

export interface DueWorkSource<N extends JobName = JobName> {
  readonly name: string;
  /** The jobs `due` returns: a family's source declares them, and workers/families.ts checks that every job with a deterministic id has one. */
  readonly jobs?: readonly N[];
  /** Jobs that should exist for rows that are due now; each must have a deterministic job id. */
  due(db: Kysely<Database>, limit: number): Promise<JobRequest<N>[]>;
  /** Housekeeping before `due`, such as moving stale 'sending' rows to 'unknown'. */
  sweep?(db: Kysely<Database>): Promise<number>;
}

/** Arbitrary, fixed: the advisory lock key of the reconciler. */
const RECONCILER_LOCK = 72_616_001;
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
      const sourceSwept = (await source.sweep?.(trx)) ?? 0;
      swept += sourceSwept;
      deps.metrics.reconcilerSwept.inc({ source: source.name }, sourceSwept);
      const requests = await source.due(trx, BATCH);
      try {
        const added = await deps.queues.enqueueUnlessLive(requests);
        enqueued += added;
        deps.metrics.reconcilerEnqueued.inc({ source: source.name }, added);
      } catch (error) {
        // Redis is away: keep the sweep, try the enqueue again next pass.
        deps.logger.warn({ source: source.name, error: describeError(error) }, 'reconciler could not enqueue');
        failed.push(source.name);
      }
    }
    return { enqueued, swept, failed };
  });
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
