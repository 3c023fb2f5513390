// The maintenance family's metrics: when the retention purge last finished (from
// retention_runs at scrape time, so any web process answers, whichever scheduler ran it).
import { Gauge } from 'prom-client';
import { cachedRead } from '../core/cached-read.js';
import type { FamilyMetrics } from '../core/metrics.js';
import { SCRAPE_CACHE_MS } from '../core/queue-metrics.js';
import { lastRuns } from './runs.js';

export const maintenanceMetrics: FamilyMetrics<never> = {
  create(registry, { db, platformView }) {
    if (!platformView) return {};
    const runs = cachedRead(SCRAPE_CACHE_MS, () => lastRuns(db));
    new Gauge({
      name: 'tgg_retention_last_finished_timestamp_seconds',
      help: 'Unix time the last retention purge finished (0: never)',
      registers: [registry],
      async collect() {
        const at = (await runs()).lastFinishedAt;
        this.set(at ? at.getTime() / 1000 : 0);
      },
    });
    return {};
  },
};
