// Invoice lines as costs, in the columns of the call-detail costs (cost-report.ts) so the two
// can be reported together. A line's month is its own period's start, else the invoice's,
// else the issue date. A credit note's amounts count negative; a negative invoice keeps its
// own signs. Document-level allowances (negative) and charges belong to no subscription. Lines
// under a privacy restriction (art. 18, or kept under P8 after an erasure) are left out.
import { sql } from 'kysely';
import { addMonths, monthKey, periodBounds } from '../calendar.js';
import { restrictedNumbers } from '../restricted.js';

/** The type key invoice rows report under (call details use their call types). */
export const INVOICE_TYPE = 'invoice';

/** Costs of `months` months from `period` on; `line_id` is the invoice line (null for a document allowance or charge), `starts` the day its month is read from. */
export function invoiceCostsFrom(organizationId: string, period: string, months = 1) {
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
