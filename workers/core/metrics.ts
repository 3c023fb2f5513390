// Prometheus metrics of one process. Labels are queue, job and route names, never ids or data.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobsFinished: Counter<'queue' | 'job' | 'outcome'>;
  readonly receiptsUnreadable: Counter<'provider' | 'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tgg_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'tgg_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'tgg_jobs_finished_total',
      help: 'Jobs finished by this process, by queue, job name and outcome',
      labelNames: ['queue', 'job', 'outcome'],
      registers: [registry],
    }),
    receiptsUnreadable: new Counter({
      name: 'tgg_sms_receipts_unreadable_total',
      help: 'Delivery receipts that could not be read (acknowledged, never applied), by provider and reason',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    }),
  };
}
