// The cost report from the monthly rollup (issue 17) against the report made the old way from
// every row (helpers/cost-report-oracle.ts), for three months, every grouping and source, after
// each change that moves a figure: a second upload, cost centres set, renamed and unset, a number
// restricted and unrestricted, invoice lines and a credit note, an erasure, an upload deleted and
// a retention purge that drops a month's partition. Several currencies, credit rows, sub-cent
// amounts and a call either side of a month's boundary in Amsterdam time. The route answers
// through its cache: changes made through the API and straight in Postgres (as another process
// would) must both show at once; a conditional GET is answered 304 until a change. Another
// organisation sees nothing.
import { get } from 'node:http';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { GROUP_BY, SOURCES, costReport } from '../workers/tem/cost-report.js';
import { temPrivacy } from '../workers/tem/privacy.js';
import { subjectOf } from '../workers/privacy/subject.js';
import { RETENTION_POLICY } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { createTestContext } from './helpers/context.js';
import { costReportOfEveryRow } from './helpers/cost-report-oracle.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { finished, thisMonth, uploadRaw } from './helpers/tem.js';
import { ublDocument } from './helpers/ubl.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Gemeente Rollup');
const other = await newOrganization(call, ctx, 'Waterschap Elders');

const monthOf = (back: number) => {
  const [, month, year] = thisMonth(1, back).split('-');
  return { period: `${year}-${month}`, last: new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate(), month: month!, year: year! };
};
const [P1, P2, P3] = [monthOf(1), monthOf(2), monthOf(3)];
const PERIODS = [P1.period, P2.period, P3.period];
const day = (m: typeof P1, d: number) => `${String(d).padStart(2, '0')}-${m.month}-${m.year}`;
const fee = (m: typeof P1) => `Abonnement ${day(m, 1)} t/m ${day(m, m.last)}`;

/** number, date, time, type, amount, currency, carrier's cost centre, description */
type Row = [string, string, string, string, string, string, string, string];
const cdr = (rows: Row[]) => ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag;Valuta;Kostenplaats;Omschrijving', ...rows.map((r) => r.join(';'))].join('\n');

const FIRST: Row[] = [
  ['0611110001', day(P1, 10), '12:00:00', 'Spraak', '12,34', 'EUR', 'KP-1', ''],
  ['0611110001', day(P1, 10), '12:05:00', 'SMS', '0,005', 'EUR', 'KP-1', ''],
  ['0611110001', day(P1, 11), '12:05:00', 'SMS', '0,005', 'EUR', 'KP-1', ''],
  ['0611110001', day(P1, 12), '12:05:00', 'SMS', '0,005', 'EUR', 'KP-1', ''],
  ['0611110001', day(P1, 1), '00:30:00', 'Data', '1,1111', 'EUR', 'KP-1', ''], // 23:30 UTC the day before: still this month
  ['0611110001', day(P2, P2.last), '23:30:00', 'Data', '2,2222', 'EUR', 'KP-1', ''], // 21:30 or 22:30 UTC: the month before
  ['0611110001', '', '', 'Abonnement', '25,00', 'EUR', 'KP-1', fee(P1)],
  ['0611110001', '', '', 'Abonnement', '25,00', 'EUR', 'KP-1', fee(P2)],
  ['0611110002', day(P1, 14), '09:00:00', 'Spraak', '7,50', 'USD', 'KP-2', ''],
  ['0611110002', day(P1, 15), '09:00:00', 'Spraak', '2,49', 'EUR', '', ''],
  ['0611110003', day(P1, 16), '10:00:00', 'Spraak', '3,00', 'EUR', '', ''],
  ['0611110003', day(P2, 5), '10:00:00', 'Spraak', '4,00', 'EUR', '', ''],
  ['0611110003', day(P2, 20), '10:00:00', 'Spraak', '4,50', 'EUR', '', ''],
  ['0611110003', day(P3, 20), '10:00:00', 'Spraak', '5,00', 'EUR', '', ''],
  ['0611110003', '', '', 'Abonnement', '15,00', 'EUR', '', fee(P3)],
  ['0611110004', day(P1, 17), '10:00:00', 'Overig', '-5,00', 'EUR', 'KP-1', ''], // a credit row
  ['0611110005', day(P1, 18), '10:00:00', 'Spraak', '6,00', 'EUR', 'KP-3', ''],
  ['0611110005', day(P2, 18), '10:00:00', 'Spraak', '6,00', 'EUR', 'KP-3', ''],
];
const SECOND: Row[] = [
  ['0611110001', day(P1, 20), '08:00:00', 'Spraak', '1,00', 'EUR', 'KP-1', ''],
  ['0611110002', day(P1, 21), '08:00:00', 'Spraak', '0,75', 'GBP', 'KP-2', ''],
  ['0611110006', day(P1, 22), '08:00:00', 'Data', '9,99', 'EUR', '', ''],
  ['0611110006', day(P3, 22), '08:00:00', 'Data', '1,01', 'EUR', '', ''],
];
const invoice = ublDocument({
  number: `INV-${P1.period}`, issueDate: `${P1.period}-${P1.last}`, period: [`${P1.period}-01`, `${P1.period}-${P1.last}`], count: 3, allowances: [300n],
  line: (i) => [{ cents: 1500n, objectId: '0611110005' }, { cents: 2000n, objectId: '0611110006' }, { cents: 450n, name: 'Servicekosten' }][i]!,
});
const creditNote = ublDocument({ number: `CN-${P1.period}`, creditNote: true, issueDate: `${P1.period}-${P1.last}`, period: [`${P1.period}-01`, `${P1.period}-${P1.last}`], count: 1, line: () => ({ cents: 250n, objectId: '0611110005' }) });

interface ReportBody {
  groups: unknown[];
  totals: unknown[];
}

async function parsed(key: string, body: string, contentType = 'text/csv'): Promise<string> {
  const answer = await uploadRaw(runtime, key, body, contentType);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const done = await finished(call, key, answer.body.id);
  expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
  return done.id;
}

/** Every month, grouping and source: the route (through its cache), and the rollup's query itself, against the oracle. */
async function expectSameAsEveryRow(step: string): Promise<void> {
  for (const period of PERIODS) {
    for (const groupBy of GROUP_BY) {
      for (const source of SOURCES) {
        const oracle = await costReportOfEveryRow(ctx.db, org.id, period, groupBy, source);
        const answer = await call<ReportBody>('get', `/v1/reports/costs?period=${period}&groupBy=${groupBy}&source=${source}`, { auth: org.key });
        const what = `${step}: ${period} by ${groupBy} from ${source}`;
        expect(answer.status, what).toBe(200);
        expect({ groups: answer.body.groups, totals: answer.body.totals }, what).toEqual(oracle);
        expect(await costReport(ctx.db, org.id, period, groupBy, source), what).toEqual(oracle);
      }
    }
  }
}

/** The rollup as a sum of the rows stored now: it must hold exactly that, in every month. */
async function expectRollupOfStoredRows(): Promise<void> {
  const diff = await sql<{ side: string }>`
    WITH stored AS (
      SELECT organization_id, date_trunc('month', started_at AT TIME ZONE 'Europe/Amsterdam')::date AS month, 'call' AS source, msisdn, call_type, currency, cost_centre_hint, sum(amount) AS amount, count(*) AS records
        FROM call_records GROUP BY 1, 2, 3, 4, 5, 6, 7
      UNION ALL
      SELECT organization_id, date_trunc('month', period_start)::date, 'charge', msisdn, call_type, currency, cost_centre_hint, sum(amount), count(*)
        FROM tem_period_charges GROUP BY 1, 2, 3, 4, 5, 6, 7),
    rolled AS (SELECT organization_id, month, source, msisdn, call_type, currency, cost_centre_hint, amount, records FROM tem_cost_rollup)
    (SELECT 'only stored' AS side, * FROM (SELECT * FROM stored EXCEPT SELECT * FROM rolled) a)
    UNION ALL
    (SELECT 'only rolled up', * FROM (SELECT * FROM rolled EXCEPT SELECT * FROM stored) b)`.execute(ctx.db);
  expect(diff.rows).toEqual([]);
}

/** A conditional GET as a browser revalidating its copy sends it (fetch would add Cache-Control: no-cache, which always answers 200). */
function conditionalGet(path: string, etag: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(`${baseUrl(runtime)}${path}`, { headers: { authorization: `Bearer ${org.key}`, 'if-none-match': etag } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (piece: string) => (body += piece));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const erase = (phone: string) => ctx.db.transaction().execute((trx) => temPrivacy.erase(trx, subjectOf({ email: null, phone, name: null }, ctx.config.suppressionKey)));
const restrict = (phone: string) => ctx.db.transaction().execute((trx) => temPrivacy.restrict!(trx, subjectOf({ email: null, phone, name: null }, ctx.config.suppressionKey)));

describe('the cost report from the monthly rollup', () => {
  it('gives the figures of every row, whatever changes', async () => {
    await parsed(org.key, cdr(FIRST));
    await expectSameAsEveryRow('the first upload');
    const second = await parsed(org.key, cdr(SECOND));
    await expectSameAsEveryRow('a second upload');
    await expectRollupOfStoredRows();

    const centre = await call<{ id: string }>('post', '/v1/cost-centres', { auth: org.key, body: { code: 'ONS-1', name: 'Verkoop' } });
    expect(centre.status).toBe(201);
    expect((await call('put', '/v1/subscriptions/0611110001', { auth: org.key, body: { costCentreId: centre.body.id } })).status).toBe(200);
    expect((await call('put', '/v1/subscriptions/0611110002', { auth: org.key, body: { costCentreId: centre.body.id } })).status).toBe(200);
    await expectSameAsEveryRow('two subscriptions given our cost centre');
    expect((await call('put', `/v1/cost-centres/${centre.body.id}`, { auth: org.key, body: { code: 'ONS-2', name: 'Verkoop' } })).status).toBe(200);
    await expectSameAsEveryRow('the cost centre renamed');
    expect((await call('put', '/v1/subscriptions/0611110001', { auth: org.key, body: { costCentreId: null } })).status).toBe(200);
    await expectSameAsEveryRow("one subscription's cost centre unset");
    // Straight in Postgres, as another process: the cost centre gone, its subscription unallocated.
    await ctx.db.deleteFrom('tem_cost_centres').where('id', '=', centre.body.id).execute();
    await expectSameAsEveryRow('the cost centre deleted by another process');

    await restrict('+31611110003');
    await expectSameAsEveryRow('a number restricted');
    await ctx.db.updateTable('tem_subscriptions').set({ restricted_at: null }).where('organization_id', '=', org.id).where('msisdn', '=', '+31611110003').execute();
    await expectSameAsEveryRow('the restriction lifted');

    await parsed(org.key, invoice, 'application/xml');
    await expectSameAsEveryRow('an invoice billing two subscriptions of a month');
    await parsed(org.key, creditNote, 'application/xml');
    await expectSameAsEveryRow('a credit note');

    await erase('+31611110002');
    await expectSameAsEveryRow('a number erased');
    expect(await ctx.db.selectFrom('tem_cost_rollup').select('msisdn').where('msisdn', '=', '+31611110002').execute()).toEqual([]);

    expect((await call('delete', `/v1/invoices/uploads/${second}`, { auth: org.key })).status).toBe(204);
    await expectSameAsEveryRow('the second upload deleted');
    await expectRollupOfStoredRows();

    // The clock six months past the 15th of the middle month: the oldest month's partition is
    // dropped, the middle month loses its calls and charges before the cut-off row by row.
    // First the call records and charges alone (the rollup's own backstop category would hide a miss), then every category.
    const now = new Date(Date.UTC(Number(P2.year), Number(P2.month) - 1 + 6, 15, 10));
    const sources = RETENTION_POLICY.filter((c) => c.category === 'tem.call-records' || c.category === 'tem.period-charges');
    const counts = await purgeAll(ctx.db, sources, { now, batchSize: 2 });
    expect(counts['tem.call-records']).toBeGreaterThan(0);
    expect(counts['tem.period-charges']).toBeGreaterThan(0);
    const partitions = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'call_records'::regclass`.execute(ctx.db);
    expect(partitions.rows.map((r) => r.name)).not.toContain(`call_records_${P3.year}${P3.month}`);
    await expectSameAsEveryRow('a month purged');
    await expectRollupOfStoredRows();
    const all = await purgeAll(ctx.db, RETENTION_POLICY.filter((c) => c.category.startsWith('tem.')), { now, batchSize: 2 });
    expect(all['tem.cost-rollup']).toBe(0);
    await expectRollupOfStoredRows();
    expect((await costReport(ctx.db, org.id, P3.period, 'type', 'calls')).totals).toEqual([]);
  }, 300_000);

  it('answers If-None-Match with 304 while the report is unchanged, and the new report after a change', async () => {
    const path = `/v1/reports/costs?period=${P1.period}&groupBy=type`;
    const etag = (await call('get', path, { auth: org.key })).headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await conditionalGet(path, etag!)).status).toBe(304);
    await ctx.db.updateTable('tem_subscriptions').set({ restricted_at: new Date() }).where('organization_id', '=', org.id).where('msisdn', '=', '+31611110001').execute();
    const changed = await conditionalGet(path, etag!);
    expect(changed.status).toBe(200);
    expect((JSON.parse(changed.body) as ReportBody).totals).toEqual((await costReportOfEveryRow(ctx.db, org.id, P1.period, 'type')).totals);
  });

  it('shows another organisation nothing', async () => {
    for (const period of PERIODS) {
      for (const source of SOURCES) {
        const answer = await call<ReportBody>('get', `/v1/reports/costs?period=${period}&groupBy=subscription&source=${source}`, { auth: other.key });
        expect(answer.status).toBe(200);
        expect({ groups: answer.body.groups, totals: answer.body.totals }).toEqual({ groups: [], totals: [] });
      }
    }
    expect(await ctx.db.selectFrom('tem_cost_rollup').select('msisdn').where('organization_id', '=', other.id).execute()).toEqual([]);
  });
});
