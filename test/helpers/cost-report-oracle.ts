// The cost report as it was made before the rollup (issue 17): every call record and period
// charge of the month read on each request, each row counting one; and its invoice lines as they
// were read until 2026-12-06, every line the organisation kept with its month computed per line
// (the index-served read of workers/tem/einvoice/costs.ts must give the same). Kept as the oracle the
// rollup's report is compared with (test/tem-cost-rollup.test.ts) and as the benchmark's
// baseline query; the grouping that follows is the report's own (groupedReport).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { costsFrom, groupedReport, type CostReport, type GroupBy, type Source } from '../../workers/tem/cost-report.js';
import { INVOICE_TYPE } from '../../workers/tem/einvoice/costs.js';
import { addMonths, monthKey, periodBounds } from '../../workers/tem/calendar.js';
import { restrictedNumbers } from '../../workers/tem/restricted.js';

function everyRow(organizationId: string, period: string, source: Source) {
  const calls = sql`SELECT msisdn, call_type, currency, amount, 1 AS records, cost_centre_hint FROM c`;
  const invoices = sql`SELECT msisdn, call_type, currency, amount, 1 AS records, NULL::text AS cost_centre_hint FROM i`;
  const rows =
    source === 'calls' ? calls
    : source === 'invoices' ? invoices
    : sql`${invoices} UNION ALL ${calls} WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.msisdn = c.msisdn AND i.month = c.month)`;
  return sql`c AS (${costsFrom(organizationId, period)}), i AS (${invoiceCostsOfEveryLine(organizationId, period)}), k AS (${rows})`;
}

export function costReportOfEveryRow(db: Kysely<Database>, organizationId: string, period: string, groupBy: GroupBy, source: Source = 'all'): Promise<CostReport> {
  return groupedReport(db, organizationId, everyRow(organizationId, period, source), groupBy);
}

/** As workers/tem/einvoice/costs.ts read invoice costs until 2026-12-06: every line of the organisation, the month computed per line. Costs of `months` months from `period` on; `line_id` is the invoice line (null for a document allowance or charge), `starts` the day its month is read from. */
export function invoiceCostsOfEveryLine(organizationId: string, period: string, months = 1) {
  const first = period;
  const last = monthKey(addMonths(periodBounds(period).month, months - 1));
  return sql`
    SELECT * FROM (
      SELECT l.id AS line_id, e.id AS invoice_id, coalesce(l.period_start, e.period_start, e.issue_date) AS starts,
             to_char(coalesce(l.period_start, e.period_start, e.issue_date), 'YYYY-MM') AS month, l.subscription_ref AS msisdn,
             ${INVOICE_TYPE}::text AS call_type, coalesce(e.currency, 'EUR') AS currency,
             CASE WHEN e.credit_note THEN -l.line_amount ELSE l.line_amount END AS amount
        FROM einvoice_lines l JOIN einvoices e ON e.id = l.invoice_id
       WHERE l.organization_id = ${organizationId} AND e.organization_id = ${organizationId} AND l.line_amount IS NOT NULL
         AND l.restricted_at IS NULL AND coalesce(l.subscription_ref, '') <> ALL(${restrictedNumbers(organizationId)})
      UNION ALL
      SELECT NULL, e.id, coalesce(e.period_start, e.issue_date), to_char(coalesce(e.period_start, e.issue_date), 'YYYY-MM'), NULL, ${INVOICE_TYPE}, coalesce(e.currency, 'EUR'),
             (CASE WHEN e.credit_note THEN -1 ELSE 1 END) * (CASE WHEN (ac->>'charge')::boolean THEN 1 ELSE -1 END) * (ac->>'amount')::numeric
        FROM einvoices e CROSS JOIN LATERAL jsonb_array_elements(e.allowances_charges) ac
       WHERE e.organization_id = ${organizationId}
    ) i
    WHERE i.month BETWEEN ${first} AND ${last}`;
}
