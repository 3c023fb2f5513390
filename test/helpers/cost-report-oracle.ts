// The cost report as it was made before the rollup (issue 17): every call record and period
// charge of the month read on each request, each row counting one. Kept as the oracle the
// rollup's report is compared with (test/tem-cost-rollup.test.ts) and as the benchmark's
// baseline query; the grouping that follows is the report's own (groupedReport).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { costsFrom, groupedReport, type CostReport, type GroupBy, type Source } from '../../workers/tem/cost-report.js';
import { invoiceCostsFrom } from '../../workers/tem/einvoice/costs.js';

function everyRow(organizationId: string, period: string, source: Source) {
  const calls = sql`SELECT msisdn, call_type, currency, amount, 1 AS records, cost_centre_hint FROM c`;
  const invoices = sql`SELECT msisdn, call_type, currency, amount, 1 AS records, NULL::text AS cost_centre_hint FROM i`;
  const rows =
    source === 'calls' ? calls
    : source === 'invoices' ? invoices
    : sql`${invoices} UNION ALL ${calls} WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.msisdn = c.msisdn AND i.month = c.month)`;
  return sql`c AS (${costsFrom(organizationId, period)}), i AS (${invoiceCostsFrom(organizationId, period)}), k AS (${rows})`;
}

export function costReportOfEveryRow(db: Kysely<Database>, organizationId: string, period: string, groupBy: GroupBy, source: Source = 'all'): Promise<CostReport> {
  return groupedReport(db, organizationId, everyRow(organizationId, period, source), groupBy);
}
