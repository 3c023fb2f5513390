// What looks wrong in a month, each finding with its subscription, rule, amount and the
// records behind it: roaming above TEM_ROAMING_THRESHOLD, calls to premium numbers (0900,
// 0906, 0909), a month costing more than twice the average of the three before it, and
// subscriptions still paid for with no use in three months; and the reconciliation of invoices
// against call details (reconciliation.ts).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { addMonths, monthKey, periodBounds } from './calendar.js';
import { costsFrom } from './cost-report.js';
import { RECONCILE_RULES, reconciliation } from './reconciliation.js';

const CALL_RULES = ['roaming', 'premium-numbers', 'cost-spike', 'unused'] as const;
export const RULES = [...CALL_RULES, ...RECONCILE_RULES] as const;
export type Rule = (typeof RULES)[number];

export interface Finding {
  readonly rule: Rule;
  readonly subscription: string;
  readonly currency: string;
  readonly amount: string;
  /** Call record ids behind the finding. */
  readonly records: number[];
  /** Period charge ids behind it (subscription fees). */
  readonly charges: number[];
  /** Invoice line ids behind it (the reconciliation rules). */
  readonly lines: number[];
  /** The call details' total an invoice was compared with (invoice-mismatch). */
  readonly callDetails: string | null;
}

export interface AnomalyLimits {
  readonly roamingThreshold: string;
  readonly reconcileTolerancePercent: string;
}

const PREMIUM = '^(0|\\+31|0031)(900|906|909)';

export async function anomalies(db: Kysely<Database>, organizationId: string, period: string, limits: AnomalyLimits): Promise<Finding[]> {
  const calls = await callAnomalies(db, organizationId, period, limits.roamingThreshold);
  const invoices = await reconciliation(db, organizationId, period, limits.reconcileTolerancePercent);
  const key = (f: Finding) => `${f.subscription}\u0000${f.rule}`;
  return [...calls.map((f) => ({ ...f, lines: [], callDetails: null })), ...invoices].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

type CallFinding = Omit<Finding, 'lines' | 'callDetails'>;

/**
 * The call-detail findings of a month as one statement. The ids behind each subscription's
 * finding are aggregated once per number (`ids`), not by a subquery per finding: that re-read the
 * month's rows for every spike (950 spikes in a month of 100,000 calls took 10-19 s, past the
 * API's statement timeout).
 */
export function callAnomalySql(organizationId: string, period: string, roamingThreshold: string) {
  const first = monthKey(addMonths(periodBounds(period).month, -3));
  return sql<CallFinding>`
    WITH k AS (${costsFrom(organizationId, first, 4)}),
    cur AS (SELECT * FROM k WHERE month = ${period}),
    ids AS (
      SELECT msisdn, array_agg(id ORDER BY id) FILTER (WHERE id IS NOT NULL) AS records,
             array_agg(charge_id ORDER BY charge_id) FILTER (WHERE charge_id IS NOT NULL) AS charges
        FROM cur GROUP BY msisdn),
    totals AS (
      SELECT msisdn, currency,
             sum(amount) FILTER (WHERE month = ${period}) AS now,
             coalesce(sum(amount) FILTER (WHERE month <> ${period}), 0) / 3 AS before,
             count(id) FILTER (WHERE month > ${monthKey(addMonths(periodBounds(period).month, -3))}) AS used
        FROM k GROUP BY msisdn, currency)
    SELECT 'roaming' AS rule, msisdn AS subscription, currency, round(sum(amount), 2)::text AS amount,
           array_agg(id ORDER BY id) AS records, ARRAY[]::bigint[] AS charges
      FROM cur WHERE roaming GROUP BY msisdn, currency HAVING sum(amount) > ${roamingThreshold}::numeric
    UNION ALL
    SELECT 'premium-numbers', msisdn, currency, round(sum(amount), 2)::text, array_agg(id ORDER BY id), ARRAY[]::bigint[]
      FROM cur WHERE destination ~ ${PREMIUM} GROUP BY msisdn, currency
    UNION ALL
    SELECT 'cost-spike', t.msisdn, t.currency, round(t.now, 2)::text, coalesce(i.records, ARRAY[]::bigint[]), coalesce(i.charges, ARRAY[]::bigint[])
      FROM totals t LEFT JOIN ids i ON i.msisdn = t.msisdn WHERE t.before > 0 AND t.now > 2 * t.before
    UNION ALL
    SELECT 'unused', t.msisdn, t.currency, round(t.now, 2)::text, ARRAY[]::bigint[], i.charges
      FROM totals t JOIN ids i ON i.msisdn = t.msisdn WHERE t.used = 0 AND i.charges IS NOT NULL
    ORDER BY subscription, rule`;
}

async function callAnomalies(db: Kysely<Database>, organizationId: string, period: string, roamingThreshold: string): Promise<CallFinding[]> {
  const rows = await callAnomalySql(organizationId, period, roamingThreshold).execute(db);
  return rows.rows.map((r) => ({ ...r, records: r.records.map(Number), charges: r.charges.map(Number) }));
}
