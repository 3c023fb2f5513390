// Cost reports answered from memory while nothing they read has changed: each request reads the
// organisation's report version (report-version.ts: an indexed row or a few), and a report made
// at that version is answered again. Any committed change, made by this process or another,
// raises the version, so no answer is older than the last change committed before the request.
// Requests that miss together share one query. An entry lives CACHE_TTL_MS at most (reports by
// subscription name numbers), and at most MAX_ENTRIES are kept.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { costReport, type CostReport, type GroupBy, type Source } from './cost-report.js';
import { reportVersion } from './report-version.js';

const CACHE_TTL_MS = 60_000;
const MAX_ENTRIES = 256;

interface Entry {
  readonly version: string;
  readonly report: Promise<CostReport>;
  readonly until: number;
}

export class CostReportCache {
  /** In the order they were made, so the oldest (first to expire) are at the front. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly db: Kysely<Database>, private readonly now: () => number = Date.now) {}

  async report(organizationId: string, period: string, groupBy: GroupBy, source: Source): Promise<CostReport> {
    const version = await reportVersion(this.db, organizationId);
    this.sweep();
    const key = `${organizationId}|${period}|${groupBy}|${source}`;
    const hit = this.entries.get(key);
    if (hit?.version === version && hit.until > this.now()) return hit.report;
    const report = costReport(this.db, organizationId, period, groupBy, source);
    this.entries.delete(key);
    this.entries.set(key, { version, report, until: this.now() + CACHE_TTL_MS });
    // A failed query is not kept: the next request asks again.
    report.catch(() => {
      if (this.entries.get(key)?.report === report) this.entries.delete(key);
    });
    return report;
  }

  /** Drops expired entries and, past MAX_ENTRIES, the oldest. */
  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.until > now && this.entries.size < MAX_ENTRIES) return;
      this.entries.delete(key);
    }
  }
}
