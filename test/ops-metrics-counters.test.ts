// Issue 17 (audit 17.3, 17.6, 17.8): the counters no other test read, read on /metrics after
// real work with exact values: SMS outcomes by provider over SMPP (submitted, delivered and
// failed by receipt, refused, partly accepted so unknown), e-invoice findings by rule, and rows
// removed by the retention purge per category; and no label value that is an id, number or name.
import { readFileSync } from 'node:fs';
import smpp from 'smpp';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { insertBatch, insertCallback, insertMail } from './helpers/factories.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { labelValues, scrape, valueOf, valuesBy } from './helpers/metrics.js';
import { batches, mobile } from './helpers/sms.js';
import { startSmsc } from './helpers/smsc.js';
import { finished, uploadRaw } from './helpers/tem.js';

const DAY = 24 * 3600 * 1000;
const ORG_NAME = 'Tellers Gemeente';
const smsc = await startSmsc();
const ctx = await createTestContext();
const runtime = await ctx.start({
  roles: ['web', 'sms', 'invoices', 'scheduler'],
  config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_RESPONSE_TIMEOUT_MS: '3000', PURGE_BATCH_SIZE: '2' }),
});
afterAll(async () => {
  await runtime.stop();
  await smsc.close();
});
const call = caller(runtime);
const org = await newOrganization(call, ctx, ORG_NAME);
const metrics = () => scrape(runtime.port, opsAuth(ctx));
/** What each test made that a label must never carry. */
const secrets: string[] = [ORG_NAME, org.id];

describe('tgg_sms_messages_total', () => {
  it('counts each message once per outcome: submitted, delivered and failed by receipt, refused, unknown', { timeout: 60_000 }, async () => {
    const sms = batches(call, () => org.key);
    const refused = mobile(4).slice(1);
    smsc.answer = (submit, n) => {
      if (submit.destination === refused) return { status: smpp.errors.ESME_RINVDSTADR ?? 0x0b };
      // The long message's part 2 is refused for good: part 1 went, so its fate is unknown.
      if (submit.udh?.[5] === 2) return { status: smpp.errors.ESME_RX_P_APPN ?? 0x65 };
      return { status: smpp.ESME_ROK, messageId: String(5_000_000 + n) };
    };
    const short = await sms.submit('TGG', 'Uw afspraak staat', [1, 2, 3, 4].map((n) => ({ phone: mobile(n) })));
    const long = await sms.submit('TGG', 'z'.repeat(200), [{ phone: mobile(5) }]);
    expect((await sms.finished(short)).counts).toMatchObject({ sent: 3, failed: 1 });
    expect((await sms.finished(long)).counts).toMatchObject({ unknown: 1 });
    secrets.push(short, long, mobile(1), mobile(1).slice(1), 'Uw afspraak staat');

    const idOf = (n: number) => smsc.received.find((r) => r.destination === mobile(n).slice(1))?.messageId ?? '';
    await smsc.sendReceipt(idOf(1), 'DELIVRD');
    await smsc.sendReceipt(idOf(2), 'DELIVRD');
    await smsc.sendReceipt(idOf(3), 'UNDELIV');
    // The same receipt again moves nothing, so counts nothing.
    await smsc.sendReceipt(idOf(1), 'DELIVRD');
    secrets.push(idOf(1));
    await waitFor(async () => {
      const rows = await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', short).execute();
      return rows.filter((r) => r.status === 'delivered').length === 2 && rows.filter((r) => r.status === 'failed').length === 2;
    }, 'two delivered, two failed');

    const body = await metrics();
    expect(valuesBy(body, 'tgg_sms_messages_total', 'provider', 'outcome')).toEqual({ 'smpp/submitted': 3, 'smpp/delivered': 2, 'smpp/failed': 2, 'smpp/unknown': 1 });
  });
});

describe('tgg_tem_einvoice_findings_total', () => {
  const example = (name: string) => readFileSync(new URL(`fixtures/ubl/${name}`, import.meta.url), 'utf8');
  const parsed = async (file: string) => {
    const upload = await uploadRaw(runtime, org.key, file, 'application/xml');
    expect(upload.status).toBe(202);
    secrets.push(upload.body.id);
    return finished(call, org.key, upload.body.id);
  };

  it('counts the findings of each parsed invoice by rule; a clean one, or a repeat refused, counts none', { timeout: 60_000 }, async () => {
    const payableBroken = example('ubl-tc434-example2.xml').replace('<cbc:ID>TOSL108</cbc:ID>', '<cbc:ID>TOSL108-M1</cbc:ID>').replace('PayableAmount currencyID="NOK">801.78', 'PayableAmount currencyID="NOK">801.79');
    // A line amount and the payable amount changed: two rules broken in one invoice.
    const twoBroken = example('ubl-tc434-example1.xml')
      .replace('<cbc:ID>12115118</cbc:ID>', '<cbc:ID>12115118-M2</cbc:ID>')
      .replace('<cbc:LineExtensionAmount currencyID="EUR">9.95</cbc:LineExtensionAmount>', '<cbc:LineExtensionAmount currencyID="EUR">9.96</cbc:LineExtensionAmount>')
      .replace('<cbc:PayableAmount currencyID="EUR">250.33</cbc:PayableAmount>', '<cbc:PayableAmount currencyID="EUR">250.34</cbc:PayableAmount>');
    secrets.push('TOSL108', '12115118');
    for (const file of [payableBroken, twoBroken, example('sample-discount-price.xml')]) expect((await parsed(file)).status).toBe('parsed');
    expect((await parsed(twoBroken.replace('<cbc:Note>', '<cbc:Note>Again. '))).status).toBe('rejected');

    const stored = await ctx.db.selectFrom('einvoices').select('findings').where('organization_id', '=', org.id).execute();
    expect(stored.flatMap((i) => i.findings.map((f) => f.rule)).sort()).toEqual(['BR-CO-10', 'BR-CO-16', 'BR-CO-16']);
    expect(valuesBy(await metrics(), 'tgg_tem_einvoice_findings_total', 'rule')).toEqual({ 'BR-CO-10': 1, 'BR-CO-16': 2 });
  });
});

describe('tgg_retention_rows_removed_total', () => {
  it('adds the rows each category removed, over several batches, and nothing on a run that removes none', { timeout: 60_000 }, async () => {
    const aged = (days: number) => new Date(Date.now() - days * DAY);
    for (const days of [45, 45, 45, 20]) await insertMail(ctx.db, { created_at: aged(days) });
    const batch = await insertBatch(ctx.db, { organization_id: org.id });
    for (const days of [31, 40, 29]) await insertCallback(ctx.db, { organization_id: org.id, batch_id: batch.id, created_at: aged(days) });
    secrets.push(batch.id);

    const purge = async () => {
      const id = await runtime.deps.queues.enqueue('maintenance.retention-purge', {});
      const job = await waitFor(async () => {
        // finishedOn, not isCompleted(): that reads the state now, this snapshot may predate it.
        const j = await runtime.deps.queues.get('maintenance').getJob(id);
        return j?.finishedOn ? j : undefined;
      }, 'the purge job');
      return job.returnvalue as Record<string, number>;
    };
    const first = await purge();
    expect(first).toMatchObject({ 'mail.transactional': 3, 'sms.callbacks': 2 });
    const removed = () => metrics().then((body) => valuesBy(body, 'tgg_retention_rows_removed_total', 'category'));
    // Each category that removed rows, as the job counted them (the e-invoices above are older than
    // their 7 years, so tem.invoices has rows too); one that removed none shows no sample.
    const expected = Object.fromEntries(Object.entries(first).filter(([, n]) => n > 0));
    expect(await removed()).toEqual(expected);
    expect(Object.values(await purge()).every((n) => n === 0)).toBe(true);
    expect(await removed()).toEqual(expected);
  });
});

describe('/metrics labels', () => {
  it('carry no id, number, name or text of the work above', async () => {
    const body = await metrics();
    expect(valueOf(body, 'tgg_sms_messages_total', { provider: 'smpp', outcome: 'submitted' })).toBe(3);
    const labels = labelValues(body);
    expect(labels.length).toBeGreaterThan(50);
    for (const { metric, label, value } of labels) {
      const where = `${metric}{${label}="${value}"}`;
      for (const secret of secrets) expect(value, where).not.toContain(secret);
      // No uuid, no run of digits as a phone number or provider message id has.
      expect(value, where).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|\d{5,}/i);
    }
  });
});
