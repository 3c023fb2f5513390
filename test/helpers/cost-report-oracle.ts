// The cost report as it was made before the rollup (issue 17): every call record and period
// charge of the month read and aggregated on each request. Kept as the oracle the rollup's
// report is compared with (test/tem-cost-rollup.test.ts) and as the benchmark's baseline query.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { costsFrom, type CostLine, type GroupBy, type Source } from '../../workers/tem/cost-report.js';
import { invoiceCostsFrom } from '../../workers/tem/einvoice/costs.js';

const KEYS: Record<GroupBy, ReturnType<typeof sql.raw>> = {
  costCentre: sql.raw('coalesce(cc.code, k.cost_centre_hint)'),
  subscription: sql.raw('k.msisdn'),
  type: sql.raw('k.call_type'),
};

function reportRows(organizationId: string, period: string, source: Source) {
  const calls = sql`SELECT msisdn, call_type, currency, amount, cost_centre_hint FROM c`;
  const invoices = sql`SELECT msisdn, call_type, currency, amount, NULL::text AS cost_centre_hint FROM i`;
  const rows =
    source === 'calls' ? calls
    : source === 'invoices' ? invoices
    : sql`${invoices} UNION ALL ${calls} WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.msisdn = c.msisdn AND i.month = c.month)`;
  return sql`c AS (${costsFrom(organizationId, period)}), i AS (${invoiceCostsFrom(organizationId, period)}), k AS (${rows})`;
}

export async function costReportOfEveryRow(db: Kysely<Database>, organizationId: string, period: string, groupBy: GroupBy, source: Source = 'all'): Promise<{ groups: CostLine[]; totals: Omit<CostLine, 'key'>[] }> {
  const rows = await sql<CostLine & { total: boolean }>`
    WITH ${reportRows(organizationId, period, source)}
    SELECT ${KEYS[groupBy]} AS key, k.currency, round(sum(k.amount), 2)::text AS amount, count(*)::int AS records,
           GROUPING(${KEYS[groupBy]}) = 1 AS total
      FROM k
      LEFT JOIN tem_subscriptions s ON s.organization_id = ${organizationId} AND s.msisdn = k.msisdn
      LEFT JOIN tem_cost_centres cc ON cc.id = s.cost_centre_id
     GROUP BY GROUPING SETS ((${KEYS[groupBy]}, k.currency), (k.currency))
     ORDER BY total, key NULLS LAST, currency`.execute(db);
  return {
    groups: rows.rows.filter((r) => !r.total).map(({ key, currency, amount, records }) => ({ key, currency, amount, records })),
    totals: rows.rows.filter((r) => r.total).map(({ currency, amount, records }) => ({ currency, amount, records })),
  };
}
