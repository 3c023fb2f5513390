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
import { recomputeCallMonth } from '../workers/tem/cost-rollup.js';
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
const restarted = await newOrganization(call, ctx, 'Gemeente Herstart');

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
async function expectSameAsEveryRow(step: string, of: { id: string; key: string } = org): Promise<void> {
  for (const period of PERIODS) {
    for (const groupBy of GROUP_BY) {
      for (const source of SOURCES) {
        const oracle = await costReportOfEveryRow(ctx.db, of.id, period, groupBy, source);
        const answer = await call<ReportBody>('get', `/v1/reports/costs?period=${period}&groupBy=${groupBy}&source=${source}`, { auth: of.key });
        const what = `${step}: ${period} by ${groupBy} from ${source}`;
        expect(answer.status, what).toBe(200);
        expect({ groups: answer.body.groups, totals: answer.body.totals }, what).toEqual(oracle);
        expect(await costReport(ctx.db, of.id, period, groupBy, source), what).toEqual(oracle);
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

/** Sums whose float would differ from the decimal (0.1 + 0.2, past 2^53 ten-thousandths) and amounts rounded to 4 places as stored, over three months and four numbers. */
const MANY: Row[] = [
  ['0622220001', day(P1, 3), '10:00:00', 'Spraak', '0,1', 'EUR', 'KP-A', ''],
  ['0622220001', day(P1, 4), '10:00:00', 'Spraak', '0,2', 'EUR', 'KP-A', ''],
  ['0622220001', day(P2, 3), '10:00:00', 'Spraak', '0,1', 'EUR', 'KP-A', ''],
  ['0622220001', day(P2, 5), '10:00:00', 'Spraak', '0,7', 'EUR', 'KP-A', ''],
  ['0622220001', day(P2, P2.last), '23:59:59', 'Spraak', '0,3', 'EUR', 'KP-A', ''], // still the month before in Amsterdam
  ['0622220001', day(P1, 1), '00:00:00', 'Spraak', '0,6', 'EUR', 'KP-A', ''],
  ['0622220002', day(P1, 5), '11:00:00', 'Data', '999.999.999.999,9999', 'EUR', 'KP-B', ''],
  ['0622220002', day(P1, 6), '11:00:00', 'Data', '999.999.999.999,9999', 'EUR', 'KP-B', ''],
  ['0622220002', day(P1, 7), '11:00:00', 'Data', '999.999.999.999,9999', 'EUR', 'KP-B', ''],
  ['0622220002', day(P1, 8), '11:00:00', 'SMS', '0,00005', 'EUR', 'KP-B', ''], // stored as 0.0001
  ['0622220002', day(P1, 9), '11:00:00', 'SMS', '0,00005', 'EUR', 'KP-B', ''],
  ['0622220002', day(P1, 10), '11:00:00', 'SMS', '0,000049', 'EUR', 'KP-B', ''], // stored as 0.0000
  ['0622220003', day(P3, 4), '12:00:00', 'Spraak', '-0,00005', 'EUR', '', ''], // -0.0001: away from zero
  ['0622220003', day(P3, 5), '12:00:00', 'Spraak', '0,33333', 'EUR', '', ''],
  ['0622220003', day(P3, 6), '12:00:00', 'Spraak', '-1,10', 'EUR', '', ''],
  ['0622220003', day(P2, 6), '12:00:00', 'Spraak', '1,15', 'EUR', '', ''],
  ['0622220003', day(P2, 7), '12:00:00', 'Spraak', '2,30', 'EUR', '', ''],
  ['0622220004', day(P1, 11), '13:00:00', 'Spraak', '0,45', 'USD', 'KP-A', ''],
  ['0622220004', day(P1, 12), '13:00:00', 'Spraak', '0,45', 'USD', 'KP-B', ''],
  ['0622220004', day(P1, 13), '13:00:00', 'Spraak', '0,45', 'USD', '', ''],
  ['0622220004', day(P1, 14), '13:00:00', 'Spraak', '1,05', 'EUR', '', ''],
  ['0622220004', '', '', 'Abonnement', '12,50', 'EUR', '', fee(P2)],
];

/** The parse's backend terminated once, by itself, as it writes the rollup (every row copied): a crash at the parse's last step. */
async function crashOnceAtTheRollup(): Promise<() => Promise<void>> {
  await sql`CREATE SEQUENCE test_rollup_crash`.execute(ctx.db);
  await sql`
    CREATE FUNCTION test_rollup_crash() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF current_setting('application_name') = 'tgg-tem-parse' AND nextval('test_rollup_crash') = 1 THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
        PERFORM pg_sleep(10);
      END IF;
      RETURN NULL;
    END $fn$`.execute(ctx.db);
  await sql`CREATE TRIGGER test_rollup_crash BEFORE INSERT ON tem_cost_rollup FOR EACH STATEMENT EXECUTE FUNCTION test_rollup_crash()`.execute(ctx.db);
  return async () => {
    const { rows } = await sql<{ n: string }>`SELECT last_value::text AS n FROM test_rollup_crash`.execute(ctx.db);
    await sql`DROP TRIGGER test_rollup_crash ON tem_cost_rollup`.execute(ctx.db);
    await sql`DROP FUNCTION test_rollup_crash()`.execute(ctx.db);
    await sql`DROP SEQUENCE test_rollup_crash`.execute(ctx.db);
    expect(Number(rows[0]?.n), 'the parse reached the rollup twice').toBeGreaterThanOrEqual(2);
  };
}

/** Each call row of the rollup dated by the latest call it sums (the retention backstop's clock). */
async function expectLatestCalls(organizationId: string): Promise<void> {
  const { rows } = await sql<{ msisdn: string }>`
    SELECT r.msisdn FROM tem_cost_rollup r
     WHERE r.organization_id = ${organizationId} AND r.source = 'call'
       AND r.retain_from IS DISTINCT FROM (
         SELECT max(c.started_at) FROM call_records c
          WHERE c.organization_id = r.organization_id AND date_trunc('month', c.started_at AT TIME ZONE 'Europe/Amsterdam')::date = r.month
            AND c.msisdn = r.msisdn AND c.call_type = r.call_type AND c.currency = r.currency AND c.cost_centre_hint IS NOT DISTINCT FROM r.cost_centre_hint)`.execute(ctx.db);
  expect(rows).toEqual([]);
}

describe('the rollup summed by the parse', () => {
  it('is exact over several months and numbers, once, when the parse is retried after a crash', async () => {
    const crashed = await crashOnceAtTheRollup();
    const id = await parsed(restarted.key, cdr(MANY));
    await crashed();
    const upload = await ctx.db.selectFrom('tem_uploads').select('attempts').where('id', '=', id).executeTakeFirstOrThrow();
    expect(upload.attempts).toBeGreaterThanOrEqual(2);
    await expectRollupOfStoredRows();
    await expectLatestCalls(restarted.id);
    await expectSameAsEveryRow('a file parsed after a crash', restarted);
    const big = await ctx.db.selectFrom('tem_cost_rollup').select(['amount', 'records']).where('organization_id', '=', restarted.id).where('msisdn', '=', '+31622220002').where('call_type', '=', 'data').executeTakeFirstOrThrow();
    expect(big).toEqual({ amount: '2999999999999.9997', records: 3 });
  }, 120_000);

  it('takes calls stored without a parse in by recomputing their month', async () => {
    const upload = await ctx.db.selectFrom('tem_uploads').select('id').where('organization_id', '=', restarted.id).executeTakeFirstOrThrow();
    const at = (d: number) => `${P1.year}-${P1.month}-${String(d).padStart(2, '0')} 12:00:00+01`;
    await ctx.db
      .insertInto('call_records')
      .values([
        { organization_id: restarted.id, upload_id: upload.id, line: 1001, msisdn: '+31622220001', started_at: at(20), call_type: 'voice', amount: '0.1000', currency: 'EUR', roaming: false, destination_masked: false, cost_centre_hint: 'KP-A' },
        { organization_id: restarted.id, upload_id: upload.id, line: 1002, msisdn: '+31622220009', started_at: at(21), call_type: 'voice', amount: '0.2000', currency: 'EUR', roaming: false, destination_masked: false },
      ])
      .execute();
    // Straight into call_records, as a seed does: not in the rollup until its month is recomputed.
    await expect(expectRollupOfStoredRows()).rejects.toThrow();
    await recomputeCallMonth(ctx.db, restarted.id, { year: Number(P1.year), month: Number(P1.month) });
    await expectRollupOfStoredRows();
    await expectLatestCalls(restarted.id);
    await expectSameAsEveryRow('calls stored without a parse, their month recomputed', restarted);
    // A repair of a month in doubt: whatever the rollup held, the rows decide.
    await ctx.db.updateTable('tem_cost_rollup').set({ amount: '0', records: 99 }).where('organization_id', '=', restarted.id).where('source', '=', 'call').execute();
    for (const back of [1, 2, 3]) await recomputeCallMonth(ctx.db, restarted.id, { year: Number(monthOf(back).year), month: Number(monthOf(back).month) });
    await expectRollupOfStoredRows();
    await expectSameAsEveryRow('every month recomputed', restarted);
  }, 120_000);
});

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
