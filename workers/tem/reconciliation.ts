// Invoices against call details, per subscription and month (the months of cost-report.ts):
// `invoice-mismatch` when the call-detail total differs from the invoice lines billing the
// subscription by more than TEM_RECONCILE_TOLERANCE percent of the invoice lines' total;
// `invoice-no-call-details` when the month has call details but none for a subscription
// invoice lines bill; `invoice-ended-subscription` when a line bills a period starting after
// the day the member ended the subscription. Credit notes count negative here too.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { costsFrom } from './cost-report.js';
import { invoiceCostsFrom } from './einvoice/costs.js';

export const RECONCILE_RULES = ['invoice-mismatch', 'invoice-no-call-details', 'invoice-ended-subscription'] as const;

export interface Reconciliation {
  readonly rule: (typeof RECONCILE_RULES)[number];
  readonly subscription: string;
  readonly currency: string;
  /** The invoice lines' total. */
  readonly amount: string;
  /** The call details' total compared with it (invoice-mismatch), else null. */
  readonly callDetails: string | null;
  readonly records: number[];
  readonly charges: number[];
  /** Invoice line ids behind the finding. */
  readonly lines: number[];
}

export async function reconciliation(db: Kysely<Database>, organizationId: string, period: string, tolerancePercent: string): Promise<Reconciliation[]> {
  const none = sql`ARRAY[]::bigint[]`;
  const rows = await sql<Reconciliation>`
    WITH c AS (${costsFrom(organizationId, period)}),
    i AS (${invoiceCostsFrom(organizationId, period)}),
    inv AS (SELECT msisdn, currency, sum(amount) AS total, array_agg(line_id ORDER BY line_id) AS lines FROM i WHERE msisdn IS NOT NULL GROUP BY msisdn, currency),
    cd AS (
      SELECT msisdn, currency, sum(amount) AS total,
             coalesce(array_agg(id ORDER BY id) FILTER (WHERE id IS NOT NULL), ${none}) AS records,
             coalesce(array_agg(charge_id ORDER BY charge_id) FILTER (WHERE charge_id IS NOT NULL), ${none}) AS charges
        FROM c GROUP BY msisdn, currency)
    SELECT 'invoice-mismatch' AS rule, inv.msisdn AS subscription, inv.currency, round(inv.total, 2)::text AS amount, round(cd.total, 2)::text AS "callDetails",
           cd.records, cd.charges, inv.lines
      FROM inv JOIN cd USING (msisdn, currency)
     WHERE abs(cd.total - inv.total) > ${tolerancePercent}::numeric / 100 * abs(inv.total)
    UNION ALL
    SELECT 'invoice-no-call-details', inv.msisdn, inv.currency, round(inv.total, 2)::text, NULL, ${none}, ${none}, inv.lines
      FROM inv WHERE EXISTS (SELECT 1 FROM c) AND NOT EXISTS (SELECT 1 FROM c WHERE c.msisdn = inv.msisdn)
    UNION ALL
    SELECT 'invoice-ended-subscription', i.msisdn, i.currency, round(sum(i.amount), 2)::text, NULL, ${none}, ${none}, array_agg(i.line_id ORDER BY i.line_id)
      FROM i JOIN tem_subscriptions s ON s.organization_id = ${organizationId} AND s.msisdn = i.msisdn
     WHERE s.ended_on IS NOT NULL AND i.starts > s.ended_on
     GROUP BY i.msisdn, i.currency
    ORDER BY subscription, rule`.execute(db);
  return rows.rows.map((r) => ({ ...r, records: r.records.map(Number), charges: r.charges.map(Number), lines: r.lines.map(Number) }));
}
