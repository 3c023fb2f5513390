// Prometheus metrics of one process. Labels are queue, job, route, provider and category names,
// never ids or data. The core's are here; a family adds its own (workers/<family>/metrics.ts)
// with `declare module '../core/metrics.js' { interface Metrics { ... } }` and a `metrics` in
// its manifest, as it adds to Deps (README "Metrics").
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../../db/database.js';
import type { QueueSet } from '../../queues/queue-set.js';
import type { Config } from './config.js';
import { registerQueueMetrics } from './queue-metrics.js';

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobsFinished: Counter<'queue' | 'job' | 'outcome'>;
  readonly jobDuration: Histogram<'queue' | 'job' | 'outcome'>;
  readonly receiptsUnreadable: Counter<'provider' | 'reason'>;
  readonly reconcilerEnqueued: Counter<'source'>;
  readonly reconcilerSwept: Counter<'source'>;
  readonly retentionRemoved: Counter<'category'>;
}

export type CoreMetrics = Pick<Metrics, 'registry' | 'httpDuration' | 'jobsFinished' | 'jobDuration' | 'receiptsUnreadable' | 'reconcilerEnqueued' | 'reconcilerSwept' | 'retentionRemoved'>;

/** What a family's metrics may read at scrape time. */
export interface MetricsContext {
  readonly config: Config;
  readonly db: Db;
  readonly queues: QueueSet;
  /**
   * True in the `web` process, the one whose /metrics speaks for the whole platform: gauges read
   * from Postgres or BullMQ at scrape time go there only, so they are not counted once per process.
   */
  readonly platformView: boolean;
}

/** What a family adds to Metrics, registered on the process's registry. */
export interface FamilyMetrics<K extends keyof Metrics> {
  create(registry: Registry, context: MetricsContext): Pick<Metrics, K>;
}

export function createCoreMetrics(): CoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tgg_' });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: 'tgg_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    jobsFinished: new Counter({
      name: 'tgg_jobs_finished_total',
      help: 'Jobs finished by this process, by queue, job name and outcome',
      labelNames: ['queue', 'job', 'outcome'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'tgg_job_duration_seconds',
      help: 'How long a job ran in this process, by queue, job name and outcome',
      labelNames: ['queue', 'job', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    }),
    receiptsUnreadable: new Counter({
      name: 'tgg_sms_receipts_unreadable_total',
      help: 'Delivery receipts that could not be read (acknowledged, never applied), by provider and reason',
      labelNames: ['provider', 'reason'],
      registers,
    }),
    reconcilerEnqueued: new Counter({
      name: 'tgg_reconciler_enqueued_total',
      help: 'Jobs the reconciler enqueued for due rows that had no live job, by due-work source',
      labelNames: ['source'],
      registers,
    }),
    reconcilerSwept: new Counter({
      name: 'tgg_reconciler_swept_total',
      help: 'Rows the reconciler swept (stuck sends made unknown, stale receipts set aside), by due-work source',
      labelNames: ['source'],
      registers,
    }),
    retentionRemoved: new Counter({
      name: 'tgg_retention_rows_removed_total',
      help: 'Rows deleted or anonymised by the retention purge, by category',
      labelNames: ['category'],
      registers,
    }),
  };
}

/** The core's metrics and every family's, on one registry. */
export function createMetrics(families: readonly { readonly metrics?: { create(registry: Registry, context: MetricsContext): object } }[], context: MetricsContext): Metrics {
  const core = createCoreMetrics();
  if (context.platformView) registerQueueMetrics(core.registry, context.queues);
  return Object.assign(core, ...families.map((family) => family.metrics?.create(core.registry, context))) as Metrics;
}
