// The cost report's invoice lines, read by month. The report computed the month of every invoice
// line the organisation kept (7 years of them: coalesce(line period, invoice period, issue date),
// an expression over two tables no index served) on each uncached request, then kept those of the
// month asked for. Now each part is a range read by index (migration
// 2026-12-08T05-00-00_tem-invoice-months). The answer must not change: the old read (kept in
// test/helpers/cost-report-oracle.ts) and the new give the same rows and the same reports, every
// grouping and source, on a fixture with each way a line gets its month, month edges, credit notes,
// document allowances and charges, another currency, lines without an amount or restricted, an
// invoice with no date at all, and another organisation's invoices in the same months.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { costReportOfEveryRow, invoiceCostsOfEveryLine } from './helpers/cost-report-oracle.js';
import { caller, newOrganization } from './helpers/identity.js';
import { seedInvoice } from './helpers/invoice-seed.js';
import { GROUP_BY, SOURCES, costReport } from '../workers/tem/cost-report.js';
import { invoiceCostsFrom } from '../workers/tem/einvoice/costs.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Maandfacturen BV');
const other = await newOrganization(call, ctx, 'Buren BV');

// Own periods across month edges: the last day of October, the first and last of November, December.
const edges = ['2026-10-31', '2026-11-01', '2026-11-30', '2026-12-01', null] as const;
await seedInvoice(ctx.db, org.id, { number: 'F-11', issueDate: '2026-12-02', periodStart: '2026-11-01', count: 40, periodOf: (i) => edges[i % edges.length] ?? null, allowancesCharges: [{ charge: false, amount: '5.00' }, { charge: true, amount: '2.50' }], noAmount: [3], restricted: [7] });
await seedInvoice(ctx.db, org.id, { number: 'C-11', creditNote: true, issueDate: '2026-11-15', periodStart: null, count: 6, periodOf: (i) => (i === 1 ? '2026-09-01' : null), allowancesCharges: [{ charge: false, amount: '1.25' }] });
await seedInvoice(ctx.db, org.id, { number: 'F-10', issueDate: '2026-10-31', periodStart: null, count: 12 });
await seedInvoice(ctx.db, org.id, { number: 'USD-11', issueDate: '2026-12-01', periodStart: '2026-11-30', currency: 'USD', count: 5 });
await seedInvoice(ctx.db, org.id, { number: 'NO-CURRENCY', issueDate: '2026-11-20', periodStart: null, currency: null, count: 3 });
await seedInvoice(ctx.db, org.id, { number: 'UNDATED', issueDate: null, periodStart: null, count: 4, periodOf: (i) => (i === 2 ? '2026-11-05' : null) });
await seedInvoice(ctx.db, org.id, { number: 'F-11', supplierKey: 'NL009999999B01', issueDate: '2026-11-30', periodStart: '2026-11-01', count: 8 });
await seedInvoice(ctx.db, other.id, { number: 'F-11', issueDate: '2026-11-30', periodStart: '2026-11-01', count: 30, periodOf: (i) => (i % 2 ? '2026-11-01' : null), allowancesCharges: [{ charge: true, amount: '9.99' }] });
// A restricted subscription (art. 18): its lines are left out by both reads.
await sql`INSERT INTO tem_subscriptions (organization_id, msisdn, restricted_at) VALUES (${org.id}, '+31612000004', now())`.execute(ctx.db);

const PERIODS = ['2026-08', '2026-09', '2026-10', '2026-11', '2026-12', '2027-01'];

async function rows(query: ReturnType<typeof invoiceCostsFrom>) {
  const result = await sql<Record<string, unknown>>`SELECT line_id, invoice_id, starts, month, msisdn, call_type, currency, amount::text FROM (${query}) i ORDER BY invoice_id, line_id NULLS FIRST, amount`.execute(ctx.db);
  return result.rows;
}

describe('invoice lines by month', () => {
  it('gives the same rows as the read of every line, for one month and for three', async () => {
    let seen = 0;
    for (const period of PERIODS) {
      for (const months of [1, 3]) {
        const want = await rows(invoiceCostsOfEveryLine(org.id, period, months));
        expect(await rows(invoiceCostsFrom(org.id, period, months)), `${period} x${months}`).toEqual(want);
        seen += want.length;
      }
    }
    expect(seen).toBeGreaterThan(100);
  });

  it('gives the same cost report, every grouping and source, as the read of every line', async () => {
    for (const period of PERIODS) {
      for (const groupBy of GROUP_BY) {
        for (const source of SOURCES) {
          expect(await costReport(ctx.db, org.id, period, groupBy, source), `${period} ${groupBy} ${source}`).toEqual(await costReportOfEveryRow(ctx.db, org.id, period, groupBy, source));
        }
      }
    }
    const november = await costReport(ctx.db, org.id, '2026-11', 'type', 'invoices');
    expect(november.totals.map((t) => t.currency)).toEqual(['EUR', 'USD']);
  });

  it("reads only the month's lines (and its invoices' lines), not every line the organisation kept", async () => {
    // Twelve more months of 200 lines each, half with their own period, half without.
    for (let m = 1; m <= 12; m++) {
      const month = `2025-${String(m).padStart(2, '0')}`;
      await seedInvoice(ctx.db, org.id, { number: `HIST-${month}`, issueDate: `${month}-28`, periodStart: `${month}-01`, count: 200, periodOf: (i) => (i % 2 ? `${month}-01` : null) });
    }
    await sql`ANALYZE einvoices`.execute(ctx.db);
    await sql`ANALYZE einvoice_lines`.execute(ctx.db);
    const read = await ctx.db.transaction().execute(async (trx) => {
      // A small table is read whole by choice; this asks which reads the statement can do without.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const plan = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (ANALYZE, FORMAT JSON) ${invoiceCostsFrom(org.id, '2025-06')}`.execute(trx);
      return linesRead(plan.rows[0]?.['QUERY PLAN']);
    });
    // June's invoice has 200 lines; 2,400 were kept in 2025.
    expect(read).toBeGreaterThanOrEqual(200);
    expect(read).toBeLessThanOrEqual(400);
  });
});

/** Rows a plan read from einvoice_lines: what its scans of that table returned and removed, times their loops. */
function linesRead(plan: unknown): number {
  let total = 0;
  const visit = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === 'einvoice_lines') {
      const loops = Number(node['Actual Loops'] ?? 1);
      total += (Number(node['Actual Rows'] ?? 0) + Number(node['Rows Removed by Filter'] ?? 0) + Number(node['Rows Removed by Index Recheck'] ?? 0)) * loops;
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  for (const top of plan as { Plan: Record<string, unknown> }[]) visit(top.Plan);
  return total;
}
