// The cost report of one month: call records of the month (Europe/Amsterdam), period charges
// starting in it and invoice lines of it, grouped by cost centre, subscription or type, per
// currency, rounded to the cent. Our cost centre wins over the carrier's, which counts until
// one is set. With both sources, a subscription's month that invoice lines bill is counted from
// the invoice lines only: its call details describe the same usage, and are compared with the
// invoice by the reconciliation anomaly instead of being counted twice. The call details come
// from the monthly rollup (tem_cost_rollup), never from the month's rows one by one; cost
// centres, restrictions and invoice lines, which change at any time, are read as they are now.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import { TEM_TIME_ZONE, addMonths, monthKey, monthStart, periodBounds } from './calendar.js';
import { invoiceCostsFrom } from './einvoice/costs.js';
import { restrictedNumbers } from './restricted.js';

export const GROUP_BY = ['costCentre', 'subscription', 'type'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export const SOURCES = ['all', 'invoices', 'calls'] as const;
export type Source = (typeof SOURCES)[number];

export interface CostLine {
  readonly key: string | null;
  readonly currency: string;
  readonly amount: string;
  readonly records: number;
}

const KEYS: Record<GroupBy, ReturnType<typeof sql.raw>> = {
  costCentre: sql.raw('coalesce(cc.code, k.cost_centre_hint)'),
  subscription: sql.raw('k.msisdn'),
  type: sql.raw('k.call_type'),
};

/**
 * Costs of `months` months from `period` on, one row each: call records by their month in
 * Amsterdam, period charges by the month they start in (the record id is null for a charge).
 * Numbers under a privacy restriction (art. 18) are left out: stored, not reported.
 */
export function costsFrom(organizationId: string, period: string, months = 1) {
  const { start, month } = periodBounds(period);
  const last = addMonths(month, months - 1);
  const from = sql`${monthStart(month)}::timestamp AT TIME ZONE ${TEM_TIME_ZONE}`;
  const until = sql`${monthStart(addMonths(month, months))}::timestamp AT TIME ZONE ${TEM_TIME_ZONE}`;
  const restricted = restrictedNumbers(organizationId);
  return sql`
    SELECT r.id, NULL::bigint AS charge_id, to_char(r.started_at AT TIME ZONE ${TEM_TIME_ZONE}, 'YYYY-MM') AS month, r.msisdn, r.call_type, r.currency, r.amount,
           r.cost_centre_hint, r.roaming, r.destination
      FROM call_records r
     WHERE r.organization_id = ${organizationId} AND r.started_at >= ${from} AND r.started_at < ${until} AND r.msisdn <> ALL(${restricted})
    UNION ALL
    SELECT NULL, c.id, to_char(c.period_start, 'YYYY-MM'), c.msisdn, c.call_type, c.currency, c.amount, c.cost_centre_hint, false, NULL
      FROM tem_period_charges c
     WHERE c.organization_id = ${organizationId} AND c.period_start BETWEEN ${start}::date AND ${periodBounds(monthKey(last)).end}::date AND c.msisdn <> ALL(${restricted})`;
}

/**
 * The month's call records and period charges as the rollup sums them (tem_cost_rollup, kept
 * by triggers where rows change), a few rows per number instead of every call; `records`
 * counts the rows each sums. Restricted numbers are left out here, at read time, as above.
 */
function rolledUpFrom(organizationId: string, period: string) {
  return sql`
    SELECT r.msisdn, r.call_type, r.currency, r.amount, r.records, r.cost_centre_hint
      FROM tem_cost_rollup r
     WHERE r.organization_id = ${organizationId} AND r.month = ${periodBounds(period).start}::date AND r.msisdn <> ALL(${restrictedNumbers(organizationId)})`;
}

/** The report's rows of one source, or of both without counting a subscription's month twice. */
function reportRows(organizationId: string, period: string, source: Source) {
  const calls = sql`SELECT msisdn, call_type, currency, amount, records, cost_centre_hint FROM c`;
  const invoices = sql`SELECT msisdn, call_type, currency, amount, 1 AS records, NULL::text AS cost_centre_hint FROM i`;
  const rows =
    source === 'calls' ? calls
    : source === 'invoices' ? invoices
    : sql`${invoices} UNION ALL ${calls} WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.msisdn = c.msisdn)`;
  return sql`c AS (${rolledUpFrom(organizationId, period)}), i AS (${invoiceCostsFrom(organizationId, period)}), k AS (${rows})`;
}

export type CostReport = { groups: CostLine[]; totals: Omit<CostLine, 'key'>[] };

/**
 * The report of rows `k` (msisdn, call_type, currency, amount, records, cost_centre_hint), given
 * as the common table expressions that end with it: per group and currency, and per currency.
 */
export async function groupedReport(db: Kysely<Database>, organizationId: string, rows: RawBuilder<unknown>, groupBy: GroupBy): Promise<CostReport> {
  const result = await sql<CostLine & { total: boolean }>`
    WITH ${rows}
    SELECT ${KEYS[groupBy]} AS key, k.currency, round(sum(k.amount), 2)::text AS amount, sum(k.records)::int AS records,
           GROUPING(${KEYS[groupBy]}) = 1 AS total
      FROM k
      LEFT JOIN tem_subscriptions s ON s.organization_id = ${organizationId} AND s.msisdn = k.msisdn
      LEFT JOIN tem_cost_centres cc ON cc.id = s.cost_centre_id
     GROUP BY GROUPING SETS ((${KEYS[groupBy]}, k.currency), (k.currency))
     ORDER BY total, key NULLS LAST, currency`.execute(db);
  return {
    groups: result.rows.filter((r) => !r.total).map(({ key, currency, amount, records }) => ({ key, currency, amount, records })),
    totals: result.rows.filter((r) => r.total).map(({ currency, amount, records }) => ({ currency, amount, records })),
  };
}

export function costReport(db: Kysely<Database>, organizationId: string, period: string, groupBy: GroupBy, source: Source = 'all'): Promise<CostReport> {
  return groupedReport(db, organizationId, reportRows(organizationId, period, source), groupBy);
}
