// The privacy family's metrics, read from Postgres where the platform is viewed (web): requests
// not yet closed and those past their due date (one month after receipt, GDPR art. 12(3)),
// by kind (the request's type). Counts only; ops/alerts.yml pages on any overdue one.
import { Gauge } from 'prom-client';
import { PRIVACY_REQUEST_TYPES } from '../../db/schema.js';
import { cachedRead } from '../core/cached-read.js';
import type { FamilyMetrics } from '../core/metrics.js';
import { SCRAPE_CACHE_MS } from '../core/queue-metrics.js';
import { countOpen } from './requests.js';

export const privacyMetrics: FamilyMetrics<never> = {
  create(registry, { db, platformView }) {
    if (!platformView) return {};
    const counts = cachedRead(SCRAPE_CACHE_MS, () => countOpen(db));
    const gauge = (name: string, help: string, field: 'open' | 'overdue') =>
      new Gauge({
        name,
        help,
        labelNames: ['kind'],
        registers: [registry],
        async collect() {
          const rows = await counts();
          // Every kind is set, 0 included, so an alert sees a request close.
          for (const kind of PRIVACY_REQUEST_TYPES) this.set({ kind }, rows.find((r) => r.type === kind)?.[field] ?? 0);
        },
      });
    gauge('tgg_privacy_requests_open', 'Privacy requests not yet closed (unverified, awaiting approval, verified, processing), by kind', 'open');
    gauge('tgg_privacy_requests_overdue', 'Privacy requests open past their due date (one month after receipt, or as extended), by kind', 'overdue');
    return {};
  },
};
