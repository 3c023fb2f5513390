// Restriction (art. 18, issue 15) where the end-to-end test does not look: a restricted number
// is left out of TEM's cost reports (its calls, charges and invoice lines; also when it first
// appears in an upload after the restriction), and an SMS batch's recipient reached by mail,
// or named by a restricted address beside a number, gets nothing.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { finished, thisMonth, uploadRaw } from './helpers/tem.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices', 'privacy'] });
const call = caller(runtime);
const ops = opsAuth(ctx);
const org = await newOrganization(call, ctx, 'Gemeente Beperkt');

const [, month, year] = thisMonth(1, 1).split('-');
const period = `${year}-${month}`;
const cdr = (rows: [string, string][]) => ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', ...rows.map(([n, amount]) => `${n};${thisMonth(10, 1)};12:00:00;Spraak;${amount}`)].join('\n');

interface Report {
  groups: { key: string | null; amount: string; records: number }[];
  totals: { amount: string; records: number }[];
}

async function upload(text: string) {
  const answer = await uploadRaw(runtime, org.key, text);
  expect(answer.status).toBe(202);
  expect((await finished(call, org.key, answer.body.id)).status).toBe('parsed');
}

async function report(source: 'all' | 'calls' | 'invoices' = 'all'): Promise<Report> {
  const answer = await call<Report>('get', `/v1/reports/costs?period=${period}&groupBy=subscription&source=${source}`, { auth: org.key });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function restrict(identifier: { phone?: string; email?: string }) {
  const filed = await call<{ id: string }>('post', '/ops/privacy-requests', { auth: ops, body: { type: 'restriction', ...identifier } });
  expect(filed.status).toBe(201);
  return waitFor(async () => {
    const now = await call<{ status: string; outcome: { categories: Record<string, Record<string, number>> } }>('get', `/ops/privacy-requests/${filed.body.id}`, { auth: ops });
    return now.body.status === 'done' ? now.body.outcome : undefined;
  }, 'the restriction done', 20_000);
}

/** An e-invoice of the month with one line per number. */
async function invoice(lines: [string, string][]) {
  const up = await ctx.db.insertInto('tem_uploads').values({ organization_id: org.id, kind: 'einvoice', sha256: `inv-${randomUUID()}`, size_bytes: 100, status: 'parsed' }).returning('id').executeTakeFirstOrThrow();
  const id = randomUUID();
  await sql`INSERT INTO einvoices (id, organization_id, upload_id, syntax, number, credit_note, supplier_key, line_count, retain_from, issue_date, period_start, currency)
            VALUES (${id}, ${org.id}, ${up.id}, 'ubl-invoice', ${`F-${id.slice(0, 8)}`}, false, 'kpn', ${lines.length}, now(), ${`${period}-01`}, ${`${period}-01`}, 'EUR')`.execute(ctx.db);
  await ctx.db
    .insertInto('einvoice_lines')
    .values(lines.map(([ref, amount], seq) => ({ invoice_id: id, organization_id: org.id, seq, line_id: String(seq + 1), subscription_ref: ref, item_name: 'Abonnement', line_amount: amount, period_start: `${period}-01` })))
    .execute();
}

describe('a restricted number in TEM reports', () => {
  it('is left out of the cost report: its calls and its invoice lines, from totals too', async () => {
    await upload(cdr([['0611110001', '10,00'], ['0611110002', '5,00']]));
    await invoice([['+31611110001', '20.00'], ['+31611110002', '7.00']]);
    expect((await report('calls')).groups.map((g) => [g.key, g.amount])).toEqual([['+31611110001', '10.00'], ['+31611110002', '5.00']]);
    expect((await report('invoices')).totals[0]?.amount).toBe('27.00');

    const outcome = await restrict({ phone: '06 11110001' });
    expect(outcome.categories['tem.subscriptions']).toEqual({ restricted: 1 });
    expect(outcome.categories['tem.invoice-lines']).toEqual({ restricted: 1 });

    const calls = await report('calls');
    expect(calls.groups.map((g) => g.key)).toEqual(['+31611110002']);
    expect(calls.totals).toEqual([expect.objectContaining({ amount: '5.00', records: 1 })]);
    expect((await report('invoices')).groups.map((g) => [g.key, g.amount])).toEqual([['+31611110002', '7.00']]);
    expect(JSON.stringify(await report('all'))).not.toContain('+31611110001');
    // Stored, not processed: the rows are still there.
    expect(await ctx.db.selectFrom('call_records').select('id').where('msisdn', '=', '+31611110001').execute()).toHaveLength(1);
  });

  it('is left out when it first appears in an upload after the restriction', async () => {
    await restrict({ phone: '+31611110003' });
    await upload(cdr([['0611110003', '3,00'], ['0611110004', '4,00']]));
    const sub = await ctx.db.selectFrom('tem_subscriptions').select(['msisdn', 'restricted_at']).where('organization_id', '=', org.id).where('msisdn', 'in', ['+31611110003', '+31611110004']).orderBy('msisdn').execute();
    expect(sub.map((s) => [s.msisdn, s.restricted_at !== null])).toEqual([['+31611110003', true], ['+31611110004', false]]);
    const keys = (await report('calls')).groups.map((g) => g.key);
    expect(keys).toContain('+31611110004');
    expect(keys).not.toContain('+31611110003');
  });
});

describe('a restricted address in an SMS batch', () => {
  it('suppresses a recipient reached by mail, and one whose number goes with a restricted address', async () => {
    await restrict({ email: 'Stil@Voorbeeld.nl' });
    const batch = await call<{ id: string }>('post', '/v1/sms/batches', {
      auth: org.key,
      body: { sender: 'Gemeente', body: 'Hallo', recipients: [{ email: 'stil@voorbeeld.nl' }, { email: 'open@voorbeeld.nl' }, { phone: '+31611110009', email: 'stil@voorbeeld.nl' }] },
    });
    expect(batch.status).toBe(202);
    const rows = await waitFor(async () => {
      const messages = await ctx.db.selectFrom('sms_messages').select(['seq', 'status']).where('batch_id', '=', batch.body.id).orderBy('seq').execute();
      return messages.length === 3 ? messages : undefined;
    }, 'the batch stored');
    expect(rows.map((r) => r.status)).toEqual(['suppressed', 'queued', 'suppressed']);
  });
});
