// TEM on invoices (issue 13): lines allocated to subscriptions by the generic profile's rules
// (BT-128, an item property, the description) as E.164; the cost report's sources, a credit
// note counting negative and a subscription's month never counted twice, against sums made
// here from the test's own data; and the reconciliation with a CDR upload that matches the
// invoice and one that does not, an ended subscription and one no call details mention.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { finished, thisMonth, uploadRaw } from './helpers/tem.js';
import { euros, ublDocument, type UblLine } from './helpers/ubl.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
const other = await newOrganization(call, ctx, 'Waterschap Elders');

const [, month, year] = thisMonth(1, 1).split('-');
const period = `${year}-${month}`;
const lastDay = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
const dayBefore = new Date(Date.UTC(Number(year), Number(month) - 1, 0)).toISOString().slice(0, 10);

const A = '+31612345101'; // call details match the invoice
const B = '+31612345102'; // call details 20.00, invoice 30.00
const C = '+31612345103'; // invoiced (and credited), no call details
const D = '+31612345104'; // 3.00 against 3.02: within 1 %
const E = '+31612345105'; // ended before the month
const F = '+31612345106'; // call details only

/** The invoice's lines, each naming its subscription another way; two are unallocated. */
const LINES: (UblLine & { subscription: string | null })[] = [
  { cents: 1550n, objectId: '0612345101', subscription: A },
  { cents: 3000n, property: ['Abonnementsnummer', '+31 6 12345102'], subscription: B },
  { cents: 725n, name: 'Abonnement', description: `Abonnement 06-12345103 ${month}-${year}`, subscription: C },
  { cents: 302n, objectId: '+31612345104', subscription: D },
  { cents: 100n, property: ['MSISDN', '0031612345105'], subscription: E },
  { cents: 1200n, name: 'Servicekosten', subscription: null },
  { cents: 400n, objectId: 'CONTRACT-77', subscription: null },
];
const ALLOWANCE = 500n;
const CREDIT: UblLine & { subscription: string } = { cents: 225n, objectId: '0612345103', subscription: C };
const CALLS: [string, string, bigint][] = [
  [A, '10,00', 1000n], [A, '5,50', 550n], [D, '3,00', 300n], [E, '1,00', 100n], [F, '2,50', 250n], // the file that matches (bar F: not invoiced)
  [B, '20,00', 2000n], // the file that does not
];

const invoice = ublDocument({ number: `INV-${period}`, issueDate: `${period}-${lastDay}`, period: [`${period}-01`, `${period}-${lastDay}`], count: LINES.length, line: (i) => LINES[i]!, allowances: [ALLOWANCE] });
const creditNote = ublDocument({ number: `CN-${period}`, creditNote: true, issueDate: `${period}-${lastDay}`, period: [`${period}-01`, `${period}-${lastDay}`], count: 1, line: () => CREDIT });
const cdr = (rows: typeof CALLS) => ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', ...rows.map(([n, amount], i) => `0${n.slice(3)};${thisMonth(10 + i, 1)};12:00:00;Spraak;${amount}`)].join('\n');

interface Report {
  groups: { key: string | null; currency: string; amount: string; records: number }[];
  totals: { currency: string; amount: string; records: number }[];
}

async function parsed(body: string, contentType: string) {
  const answer = await uploadRaw(runtime, org.key, body, contentType);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const done = await finished(call, org.key, answer.body.id);
  expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
  return done;
}

const ready = (async () => {
  const invoiceUpload = await parsed(invoice, 'application/xml');
  await parsed(creditNote, 'application/xml');
  await parsed(cdr(CALLS.slice(0, 5)), 'text/csv');
  await parsed(cdr(CALLS.slice(5)), 'text/csv');
  const stored = await ctx.db.selectFrom('einvoices').select(['id', 'findings']).where('upload_id', '=', invoiceUpload.id).executeTakeFirstOrThrow();
  expect(stored.findings).toEqual([]);
  return stored.id;
})();

/** Cents per subscription (null: unallocated) of what the report should count, computed from the test's data. */
function expected(source: 'all' | 'invoices' | 'calls'): Map<string | null, bigint> {
  const sums = new Map<string | null, bigint>();
  const add = (key: string | null, cents: bigint) => sums.set(key, (sums.get(key) ?? 0n) + cents);
  const invoiced = new Set<string | null>([...LINES.map((l) => l.subscription), CREDIT.subscription]);
  if (source !== 'calls') {
    for (const l of LINES) add(l.subscription, l.cents);
    add(null, -ALLOWANCE);
    add(CREDIT.subscription, -CREDIT.cents);
  }
  if (source !== 'invoices') for (const [n, , cents] of CALLS) if (source === 'calls' || !invoiced.has(n)) add(n, cents);
  return sums;
}

describe('invoices in TEM', () => {
  it('allocates each line to its subscription by BT-128, an item property or the description, as E.164; the others unallocated', async () => {
    const id = await ready;
    const lines = await call<{ items: { lineId: string; subscription: string | null; costCentre: string | null }[] }>('get', `/v1/invoices/${id}/lines`, { auth: org.key });
    expect(lines.body.items.map((l) => l.subscription)).toEqual(LINES.map((l) => l.subscription));

    const centre = await call<{ id: string }>('post', '/v1/cost-centres', { auth: org.key, body: { code: 'KP-7', name: 'Wijkteams' } });
    expect((await call('put', `/v1/subscriptions/0612345103`, { auth: org.key, body: { costCentreId: centre.body.id } })).status).toBe(200);
    const mine = await call<{ items: { lineId: string; subscription: string; costCentre: string | null }[] }>('get', `/v1/invoices/${id}/lines?subscription=06-12345103`, { auth: org.key });
    expect(mine.body.items).toMatchObject([{ lineId: '3', subscription: C, costCentre: 'KP-7' }]);
    const byCentre = await call<Report>('get', `/v1/reports/costs?period=${period}&groupBy=costCentre&source=invoices`, { auth: org.key });
    expect(byCentre.body.groups.find((g) => g.key === 'KP-7')).toMatchObject({ amount: euros(725n - 225n), records: 2 });
    expect((await call('get', `/v1/invoices/${id}/lines?subscription=bel-me`, { auth: org.key })).status).toBe(400);
  });

  for (const source of ['invoices', 'calls', 'all'] as const) {
    it(`source=${source}: each subscription and the total match a sum of the test's data, a credit note negative, nothing counted twice`, async () => {
      await ready;
      const report = await call<Report>('get', `/v1/reports/costs?period=${period}&groupBy=subscription&source=${source}`, { auth: org.key });
      expect(report.status).toBe(200);
      const want = expected(source);
      expect(report.body.groups.map((g) => [g.key, g.amount])).toEqual(
        [...want].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b))).map(([k, c]) => [k, euros(c)]),
      );
      expect(report.body.totals.map((t) => [t.currency, t.amount])).toEqual([['EUR', euros([...want.values()].reduce((a, b) => a + b, 0n))]]);
    });
  }

  it('reconciles: the CDR upload that matches gives nothing, the one that does not is flagged; an ended subscription and one without call details too', async () => {
    await ready;
    expect((await call('put', `/v1/subscriptions/${E}`, { auth: org.key, body: { endedOn: dayBefore } })).status).toBe(200);
    const answer = await call<{ findings: { rule: string; subscription: string; amount: string; callDetails: string | null; records: number[]; lines: number[] }[] }>('get', `/v1/reports/anomalies?period=${period}`, { auth: org.key });
    expect(answer.body.findings.map((f) => [f.rule, f.subscription, f.amount, f.callDetails, f.records.length, f.lines.length])).toEqual([
      ['invoice-mismatch', B, '30.00', '20.00', 1, 1],
      ['invoice-no-call-details', C, '5.00', null, 0, 2],
      ['invoice-ended-subscription', E, '1.00', null, 0, 1],
    ]);
    const lines = await ctx.db.selectFrom('einvoice_lines').select('line_amount').where('id', 'in', answer.body.findings[1]!.lines).orderBy('line_amount').execute();
    expect(lines.map((l) => l.line_amount)).toEqual(['2.2500', '7.2500']);
    expect((await call<{ findings: unknown[] }>('get', `/v1/reports/anomalies?period=${period}`, { auth: other.key })).body.findings).toEqual([]);
    expect((await call<Report>('get', `/v1/reports/costs?period=${period}&source=invoices`, { auth: other.key })).body.totals).toEqual([]);
    expect((await call('get', `/v1/reports/costs?period=${period}&source=both`, { auth: org.key })).status).toBe(400);
  });
});
