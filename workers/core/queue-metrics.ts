// The queues' depths and the age of their oldest waiting job, read from BullMQ when Prometheus
// scrapes (cached briefly: several scrapers cost one read), in the process that speaks for the
// platform (MetricsContext.platformView).
import { Gauge, type Registry } from 'prom-client';
import { readDepths } from '../../queues/depths.js';
import type { QueueSet } from '../../queues/queue-set.js';
import { cachedRead } from './cached-read.js';
import { within } from './within.js';

export const SCRAPE_CACHE_MS = 5_000;
/** A Redis that holds the connection but does not answer (a partition): the scrape answers without its queues. */
export const QUEUE_READ_TIMEOUT_MS = 2_000;

export function registerQueueMetrics(registry: Registry, queues: QueueSet): void {
  const depths = cachedRead(SCRAPE_CACHE_MS, () => within(readDepths(queues), QUEUE_READ_TIMEOUT_MS));
  new Gauge({
    name: 'tgg_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, failed, prioritized), from BullMQ at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const depth of await depths().catch(() => [])) {
        for (const [state, count] of Object.entries(depth.jobs)) this.set({ queue: depth.queue, state }, count);
      }
    },
  });
  new Gauge({
    name: 'tgg_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits), from BullMQ at scrape time',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const depth of await depths().catch(() => [])) this.set({ queue: depth.queue }, depth.oldestWaitingSeconds);
    },
  });
  new Gauge({
    name: 'tgg_redis_up',
    help: '1 when the last read of the queues answered, 0 when Redis did not',
    registers: [registry],
    async collect() {
      this.set(await depths().then(() => 1, () => 0));
    },
  });
}
