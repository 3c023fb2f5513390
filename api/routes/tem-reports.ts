// /v1/reports: a month's costs (JSON, or CSV for a spreadsheet with Accept: text/csv) and
// what looks wrong in it.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { RULES, anomalies } from '../../workers/tem/anomalies.js';
import { GROUP_BY, SOURCES, type CostLine } from '../../workers/tem/cost-report.js';
import { CostReportCache } from '../../workers/tem/cost-report-cache.js';
import { csvCell } from '../../workers/core/csv-out.js';
import { principalOf } from '../auth/bearer.js';
import { defineRoute, type Route } from '../route.js';

const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');
const common = { tags: ['tem'], security: 'bearer', scope: 'invoices' } as const;
const line = z.object({ key: z.string().nullable().describe('null: no cost centre known'), currency: z.string(), amount: z.string().describe('to the cent, a decimal string'), records: z.number().int() });
const reportSchema = z.object({ period: z.string(), groupBy: z.enum(GROUP_BY), source: z.enum(SOURCES), groups: z.array(line), totals: z.array(line.omit({ key: true })) });

/** The shared cell (neutralised, quoted as RFC 4180 says), also quoted when it holds a `;` for Dutch Excel. */
const textCell = (value: string, sep: string) => {
  const cell = csvCell(value);
  return sep !== ',' && cell.includes(sep) && !cell.startsWith('"') ? `"${cell}"` : cell;
};

/** `;` and decimal comma for Dutch Excel (locale=nl), `,` and a point otherwise; amounts stay numbers. */
function toCsv(groups: readonly CostLine[], nl: boolean): string {
  const sep = nl ? ';' : ',';
  const rows = [['group', 'currency', 'amount', 'records'].join(sep)];
  for (const g of groups) rows.push([textCell(g.key ?? '', sep), textCell(g.currency, sep), nl ? g.amount.replace('.', ',') : g.amount, String(g.records)].join(sep));
  return `${rows.join('\r\n')}\r\n`;
}

export function temReportRoutes(deps: Deps): Route[] {
  const reports = new CostReportCache(deps.db);
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/reports/costs',
      summary: "A month's costs by cost centre, subscription or type, per currency, to the cent (CSV with Accept: text/csv; locale=nl for Dutch Excel)",
      query: z.object({
        period,
        groupBy: z.enum(GROUP_BY).default('costCentre'),
        source: z.enum(SOURCES).default('all').describe("calls: call details; invoices: invoice lines (credit notes negative); all: both, a subscription's month billed by invoice lines counted from them only"),
        locale: z.enum(['nl', 'en']).default('en'),
      }),
      responses: { 200: { description: 'the report', schema: reportSchema }, 400: { description: 'a bad period or grouping' } },
      handler: async ({ query }, req, res) => {
        const report = await reports.report(principalOf(res).organizationId, query.period, query.groupBy, query.source);
        if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
          const filename = `costs-${query.period}-${query.groupBy}-${query.source}.csv`;
          return { body: toCsv(report.groups, query.locale === 'nl'), contentType: 'text/csv; charset=utf-8', headers: { 'Content-Disposition': `attachment; filename="${filename}"` } };
        }
        return { body: { period: query.period, groupBy: query.groupBy, source: query.source, ...report } };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/reports/anomalies',
      summary:
        'What looks wrong in a month: roaming above TEM_ROAMING_THRESHOLD, premium numbers, a cost spike, subscriptions paid for but unused for three months; invoices against call details (beyond TEM_RECONCILE_TOLERANCE, no call details, an ended subscription)',
      query: z.object({ period }),
      responses: {
        200: {
          description: 'the findings',
          schema: z.object({
            period: z.string(),
            findings: z.array(z.object({ rule: z.enum(RULES), subscription: z.string(), currency: z.string(), amount: z.string(), records: z.array(z.number().int()), charges: z.array(z.number().int()),
              lines: z.array(z.number().int()).describe('invoice lines behind a reconciliation finding'),
              callDetails: z.string().nullable().describe("invoice-mismatch: the call details' total compared with the invoice lines' (amount)"),
            })),
          }),
        },
      },
      handler: async ({ query }, _req, res) => ({
        body: { period: query.period, findings: await anomalies(deps.db, principalOf(res).organizationId, query.period, deps.config.tem) },
      }),
    }),
  ];
}
