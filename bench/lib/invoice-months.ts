// The cost report's invoice part with a long history (BENCH_API_INVOICE_LINES, e.g. 420000: 84
// monthly invoices, 7 years, half their lines with their own period), the read by month
// (workers/tem/einvoice/costs.ts) against the read of every line kept as it was until 2026-12-06
// (test/helpers/cost-report-oracle.ts), same database, same connection, ABBA rounds. Per report:
// wall time, and the Postgres backend's CPU (from /proc: the server is on this machine).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { invoiceCostsOfEveryLine } from '../../test/helpers/cost-report-oracle.js';
import { seedInvoice } from '../../test/helpers/invoice-seed.js';
import { addMonths, monthKey, monthOf } from '../../workers/tem/calendar.js';
import { groupedReport } from '../../workers/tem/cost-report.js';
import { invoiceCostsFrom } from '../../workers/tem/einvoice/costs.js';
import { cpuSeconds } from './cpu.js';

const MONTHS = 84;
const RUNS = 7;
const ROUNDS = 2;

/** The report by cost centre of the invoice lines `i` alone (what the change touches; the call details' rollup is unchanged). */
const invoiceReport = (db: Kysely<Database>, organizationId: string, invoices: ReturnType<typeof invoiceCostsFrom>) =>
  groupedReport(db, organizationId, sql`i AS (${invoices}), k AS (SELECT msisdn, call_type, currency, amount, 1 AS records, NULL::text AS cost_centre_hint FROM i)`, 'costCentre');

export async function invoiceMonthTimes(db: Kysely<Database>, organizationId: string, period: string, lines: number): Promise<string> {
  const perInvoice = Math.ceil(lines / MONTHS);
  for (let back = MONTHS - 1; back >= 0; back--) {
    const month = monthKey(addMonths(monthOf(`${period}-01`), -back));
    await seedInvoice(db, organizationId, { number: `BENCH-${month}`, issueDate: `${month}-28`, periodStart: `${month}-01`, count: perInvoice, numbers: 2_000, periodOf: (i) => (i % 2 ? `${month}-01` : null) });
  }
  await sql`ANALYZE einvoices`.execute(db);
  await sql`ANALYZE einvoice_lines`.execute(db);
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
  const backend = rows[0]?.pid;
  const arms = {
    old: () => invoiceReport(db, organizationId, invoiceCostsOfEveryLine(organizationId, period)),
    new: () => invoiceReport(db, organizationId, invoiceCostsFrom(organizationId, period)),
  };
  const same = JSON.stringify(await arms.old()) === JSON.stringify(await arms.new());
  const results: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const arm of ['old', 'new', 'new', 'old'] as const) {
      const times: number[] = [];
      const cpuBefore = cpuSeconds(backend);
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await arms[arm]();
        times.push(performance.now() - start);
      }
      const cpuMs = ((cpuSeconds(backend) - cpuBefore) * 1000) / RUNS;
      times.sort((a, b) => a - b);
      results.push(`round ${round} ${arm}: median ${times[Math.floor(RUNS / 2)]?.toFixed(1)} ms (min ${times[0]?.toFixed(1)}, max ${times.at(-1)?.toFixed(1)}), Postgres CPU ${cpuMs.toFixed(1)} ms per report`);
    }
  }
  return [`invoice part of the cost report of ${period}, ${perInvoice * MONTHS} invoice lines over ${MONTHS} months (${RUNS} reports per arm, ABBA; answers equal: ${same}):`, ...results].join('\n');
}
