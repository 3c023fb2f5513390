// Invoice lines as costs, in the columns of the call-detail costs (cost-report.ts) so the two
// can be reported together. A line's month is its own period's start, else the invoice's,
// else the issue date. A credit note's amounts count negative; a negative invoice keeps its
// own signs. Document-level allowances (negative) and charges belong to no subscription. Lines
// under a privacy restriction (art. 18, or kept under P8 after an erasure) are left out.
// Only the months asked for are read, by index (migration 2026-12-08T05-00-00_tem-invoice-months):
// a line with its own period by (organization_id, period_start) of its lines; the others, and the
// document's allowances and charges, through their invoices by (organization_id, coalesce(period_start,
// issue_date)). The month was computed for every line the organisation kept (7 years) before, about
// 0.24 ms per 1,000 lines on each uncached report (bench/JOURNAL.md, 2026-12-06).
import { sql, type RawBuilder } from 'kysely';
import { addMonths, monthKey, periodBounds } from '../calendar.js';
import { restrictedNumbers } from '../restricted.js';

/** The type key invoice rows report under (call details use their call types). */
export const INVOICE_TYPE = 'invoice';

/** Costs of `months` months from `period` on; `line_id` is the invoice line (null for a document allowance or charge), `starts` the day its month is read from. */
export function invoiceCostsFrom(organizationId: string, period: string, months = 1) {
  const { start, month } = periodBounds(period);
  const from = sql`${start}::date`;
  const until = sql`${periodBounds(monthKey(addMonths(month, months))).start}::date`;
  const restricted = restrictedNumbers(organizationId);
  const invoiceDay = sql`coalesce(e.period_start, e.issue_date)`;
  const line = (starts: RawBuilder<unknown>) => sql`
      SELECT l.id AS line_id, e.id AS invoice_id, ${starts} AS starts, to_char(${starts}, 'YYYY-MM') AS month, l.subscription_ref AS msisdn,
             ${INVOICE_TYPE}::text AS call_type, coalesce(e.currency, 'EUR') AS currency,
             CASE WHEN e.credit_note THEN -l.line_amount ELSE l.line_amount END AS amount
        FROM einvoice_lines l JOIN einvoices e ON e.id = l.invoice_id
       WHERE l.organization_id = ${organizationId} AND e.organization_id = ${organizationId} AND l.line_amount IS NOT NULL
         AND l.restricted_at IS NULL AND coalesce(l.subscription_ref, '') <> ALL(${restricted})`;
  return sql`
    -- Lines with their own period: by it (einvoice_lines_month_idx).
    ${line(sql`l.period_start`)} AND l.period_start >= ${from} AND l.period_start < ${until}
    UNION ALL
    -- Lines without: by their invoice's period, else its issue date (einvoices_month_idx, then the invoice's lines).
    ${line(invoiceDay)} AND l.period_start IS NULL AND ${invoiceDay} >= ${from} AND ${invoiceDay} < ${until}
    UNION ALL
    -- The document's allowances and charges, by the same day.
    SELECT NULL, e.id, ${invoiceDay}, to_char(${invoiceDay}, 'YYYY-MM'), NULL, ${INVOICE_TYPE}, coalesce(e.currency, 'EUR'),
           (CASE WHEN e.credit_note THEN -1 ELSE 1 END) * (CASE WHEN (ac->>'charge')::boolean THEN 1 ELSE -1 END) * (ac->>'amount')::numeric
      FROM einvoices e CROSS JOIN LATERAL jsonb_array_elements(e.allowances_charges) ac
     WHERE e.organization_id = ${organizationId} AND ${invoiceDay} >= ${from} AND ${invoiceDay} < ${until}`;
}
