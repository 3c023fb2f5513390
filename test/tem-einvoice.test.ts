// E-invoices end to end (issue 13): UBL and CII uploaded through the TEM uploads, parsed by the
// invoices worker into invoices and lines with every amount exact, the EN 16931 checks as
// findings, hostile XML refused before an entity is read, repeats flagged, another org's 404.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { finished, uploadRaw } from './helpers/tem.js';
import { baseUrl } from './helpers/http.js';
import { MAX_XML_DEPTH } from '../workers/tem/einvoice/xml-stream.js';
import { einvoiceRetention } from '../workers/tem/einvoice/retention.js';
import { purgeAll } from '../workers/retention/purge.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');


const fixture = (name: string) => readFileSync(new URL(`fixtures/ubl/${name}`, import.meta.url));

async function parsed(file: Buffer | string, contentType = 'application/xml') {
  const answer = await uploadRaw(runtime, org.key, file, contentType);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return finished(call, org.key, answer.body.id);
}

const invoiceOf = (uploadId: string) => ctx.db.selectFrom('einvoices').selectAll().where('upload_id', '=', uploadId).executeTakeFirstOrThrow();

/** Values read from each document itself: lines, currency, BT-106, 107, 108, 109, 110, 112, 113, 114, 115, and the VAT breakdown [category, percent, taxable, tax]. */
const EXAMPLES: Record<string, { lines: number; currency: string; totals: (string | null)[]; vat: (string | null)[][]; credit?: boolean; taxCurrency?: [string, string] }> = {
  'ubl-tc434-example1.xml': { lines: 20, currency: 'EUR', totals: ['229.60', null, null, '229.60', '20.73', '250.33', null, null, '250.33'], vat: [['S', '6', '183.23', '10.99'], ['S', '21', '46.37', '9.74']] },
  'ubl-tc434-example2.xml': { lines: 5, currency: 'NOK', totals: ['1436.50', '100.00', '100.00', '1436.50', '365.28', '1801.78', '1000.00', null, '801.78'], vat: [['S', '25', '1460.50', '365.13'], ['S', '15', '1.00', '0.15'], ['E', '0', '-25.00', '0.00']] },
  'ubl-tc434-creditnote1.xml': { lines: 1, currency: 'EUR', totals: ['100.11', null, null, '100.11', '0.00', '100.11', null, null, '100.11'], vat: [['E', '0.00', '100.11', '0.00']], credit: true },
  'sample-discount-price.xml': { lines: 1, currency: 'EUR', totals: ['12.12', null, null, '12.12', '3.03', '15.15', null, null, '15.15'], vat: [['S', '25', '12.12', '3.03']] },
  'BIS3_Invoice_negativ.XML': { lines: 1, currency: 'DKK', totals: ['-625743.54', null, null, '-625743.54', '-156435.89', '-782179.43', null, null, '-782179.43'], vat: [['S', '25', '-625743.54', '-156435.89']] },
  'BIS_Billing_30-Telefoni.xml': { lines: 12, currency: 'SEK', totals: ['831.02', '0.00', '0.00', '831.02', '207.76', '1038.78', null, '0.22', '1039.00'], vat: [['S', '25', '831.02', '207.76']] },
  'BIS_Billing_30-Elnat.xml': { lines: 3, currency: 'SEK', totals: ['1562.39', null, null, '1562.39', '390.60', '1952.99', null, '0.01', '1953.00'], vat: [['S', '25', '1562.39', '390.60']] },
  'Invoice-Max_content.xml': { lines: 2, currency: 'SEK', totals: ['10000.00', '0.00', '0.00', '10000.00', '2500.00', '12500.00', '0.00', '0.00', '12500.00'], vat: [['S', '25', '10000', '2500'], ['E', '0', '0', '0']], taxCurrency: ['EUR', '249.00'] },
};

const cents = (v: string | null) => (v === null ? null : Number(v).toFixed(2));

describe('UBL examples', () => {
  for (const [name, want] of Object.entries(EXAMPLES)) {
    it(`${name}: every line, total and VAT category, and no finding`, async () => {
      const done = await parsed(fixture(name));
      expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
      expect(done.rowsStored).toBe(want.lines);
      const invoice = await invoiceOf(done.id);
      expect(invoice.findings).toEqual([]);
      expect(invoice.currency).toBe(want.currency);
      expect(invoice.credit_note).toBe(want.credit ?? false);
      const totals = [invoice.line_total, invoice.allowance_total, invoice.charge_total, invoice.tax_exclusive, invoice.tax_total, invoice.tax_inclusive, invoice.prepaid, invoice.rounding, invoice.payable];
      expect(totals.map(cents)).toEqual(want.totals);
      expect(invoice.tax_breakdown.map((t) => [t.category, t.percent, t.taxable, t.tax])).toEqual(want.vat);
      if (want.taxCurrency) expect([invoice.tax_currency, cents(invoice.tax_total_tax_currency)]).toEqual(want.taxCurrency);
      const lines = await ctx.db.selectFrom('einvoice_lines').select(['line_id', 'line_amount']).where('invoice_id', '=', invoice.id).orderBy('seq').execute();
      expect(lines).toHaveLength(want.lines);
    });
  }

  it('keeps ids as strings, amounts exact, attributes and repeated elements', async () => {
    const done = await parsed(fixture('ubl-tc434-example1.xml').toString('utf8').replace('<cbc:ID>12115118</cbc:ID>', '<cbc:ID>0012115118</cbc:ID>'));
    const invoice = await invoiceOf(done.id);
    expect(invoice.number).toBe('0012115118');
    const lines = await ctx.db.selectFrom('einvoice_lines').selectAll().where('invoice_id', '=', invoice.id).orderBy('seq').execute();
    expect(lines.map((l) => l.line_id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    expect(lines[0]).toMatchObject({ quantity: '2.00000000', unit_code: 'EA', line_amount: '19.9000', price: '9.95000000', item_name: 'PATAT FRITES 10MM 10KG', tax_category: 'S', tax_percent: '6.0000' });
  });

  it('stores a line text with a tab, a backslash and a newline exactly (the COPY escape)', async () => {
    const name = 'PATAT\tFRITES \\N 10\\MM\n10KG';
    const done = await parsed(fixture('ubl-tc434-example1.xml').toString('utf8').replace('<cbc:ID>12115118</cbc:ID>', '<cbc:ID>12115118-ESC</cbc:ID>').replace('PATAT FRITES 10MM 10KG', name));
    expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
    const lines = await ctx.db.selectFrom('einvoice_lines').select(['item_name', 'line_amount']).where('invoice_id', '=', (await invoiceOf(done.id)).id).orderBy('seq').execute();
    expect(lines).toHaveLength(20);
    expect(lines[0]).toEqual({ item_name: name, line_amount: '19.9000' });
  });
});

/** Our CII counterparts, read to the values of the UBL documents they mirror (EXAMPLES). */
const CII_MIRRORS: Record<string, { mirrors: string; number: string; allowancesCharges: [boolean, string][]; lineAllowancesCharges: [boolean, string][] }> = {
  'cii-mirror-example2.xml': { mirrors: 'ubl-tc434-example2.xml', number: 'TOSL108-CII', allowancesCharges: [[false, '100.00'], [true, '100.00']], lineAllowancesCharges: [[false, '12.00'], [true, '12.00']] },
  'cii-mirror-creditnote1.xml': { mirrors: 'ubl-tc434-creditnote1.xml', number: '018304 / 28865-CII', allowancesCharges: [], lineAllowancesCharges: [] },
};

describe('CII', () => {
  for (const [name, mirror] of Object.entries(CII_MIRRORS)) {
    it(`${name}: the lines, totals, VAT categories and allowances of ${mirror.mirrors}, and no finding`, async () => {
      const want = EXAMPLES[mirror.mirrors]!;
      const done = await parsed(fixture(name));
      expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
      expect(done.rowsStored).toBe(want.lines);
      const invoice = await invoiceOf(done.id);
      expect(invoice).toMatchObject({ syntax: 'cii', number: mirror.number, findings: [], currency: want.currency, credit_note: want.credit ?? false });
      const totals = [invoice.line_total, invoice.allowance_total, invoice.charge_total, invoice.tax_exclusive, invoice.tax_total, invoice.tax_inclusive, invoice.prepaid, invoice.rounding, invoice.payable];
      expect(totals.map(cents)).toEqual(want.totals);
      expect(invoice.tax_breakdown.map((t) => [t.category, t.percent, t.taxable, t.tax])).toEqual(want.vat);
      expect(invoice.allowances_charges.map((a) => [a.charge, a.amount])).toEqual(mirror.allowancesCharges);
      const lines = await ctx.db.selectFrom('einvoice_lines').selectAll().where('invoice_id', '=', invoice.id).orderBy('seq').execute();
      expect(lines).toHaveLength(want.lines);
      expect(lines[0]?.allowances_charges.map((a) => [a.charge, a.amount])).toEqual(mirror.lineAllowancesCharges);
    });
  }


  it('reads our CII counterpart of sample-discount-price.xml to the same amounts, as multipart, with no finding', async () => {
    const form = new FormData();
    form.append('file', new Blob([fixture('cii-mirror-discount-price.xml')], { type: 'application/xml' }), 'invoice.csv');
    const answer = await fetch(`${baseUrl(runtime)}/v1/invoices/uploads`, { method: 'POST', headers: { authorization: `Bearer ${org.key}` }, body: form });
    expect(answer.status).toBe(202);
    const done = await finished(call, org.key, ((await answer.json()) as { id: string }).id);
    expect(done).toMatchObject({ status: 'parsed', rowsStored: 1 });
    const invoice = await invoiceOf(done.id);
    expect(invoice).toMatchObject({ syntax: 'cii', number: 'test decimal 1-CII', currency: 'EUR', supplier_vat: 'HR46830600751', line_total: '12.1200', tax_total: '3.0300', payable: '15.1500', findings: [] });
    expect(invoice.tax_breakdown).toEqual([{ category: 'S', percent: '25', taxable: '12.12', tax: '3.03', exemptionReason: null }]);
    const lines = await ctx.db.selectFrom('einvoice_lines').selectAll().where('invoice_id', '=', invoice.id).execute();
    expect(lines[0]).toMatchObject({ line_id: '1', quantity: '24.00000000', unit_code: 'KWH', line_amount: '12.1200', subscription_ref: '+31612345009' });
  });
});

describe('hostile and broken files', () => {
  it('refuses elements nested deeper than the limit', async () => {
    const deep = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">${'<a>'.repeat(MAX_XML_DEPTH)}${'</a>'.repeat(MAX_XML_DEPTH)}</Invoice>`;
    const done = await parsed(deep);
    expect(done).toMatchObject({ status: 'rejected', errors: [{ code: 'xml-too-deep' }] });
  });

  it('refuses a DOCTYPE (XXE, billion laughs) before any entity is read, keeping nothing', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>';
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>`;
    for (const file of [xxe, laughs]) {
      const answer = await uploadRaw(runtime, org.key, file, 'application/xml');
      expect(answer.status).toBe(422);
      expect(JSON.stringify(answer.body)).toContain('xml-doctype');
    }
  });

  it('refuses XML of another kind, naming its root element and namespace', async () => {
    const answer = await uploadRaw(runtime, org.key, '<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>', 'text/xml');
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body)).toContain('{urn:example:not-ubl}Invoice');
  });

  it('rejects a truncated file, storing nothing', async () => {
    const file = fixture('ubl-tc434-example1.xml');
    const done = await parsed(file.subarray(0, Math.floor(file.length * 0.7)));
    expect(done.status).toBe('rejected');
    expect(done.errors[0]?.code).toBe('malformed-xml');
    expect(await ctx.db.selectFrom('einvoices').select('id').where('upload_id', '=', done.id).execute()).toEqual([]);
  });

  it('flags the same invoice from the same supplier twice, storing it once', async () => {
    const file = fixture('BIS_Billing_30-Elnat.xml').toString('utf8');
    const again = await parsed(file.replace('<cbc:Note>', '<cbc:Note>Again. '));
    expect(again.status).toBe('rejected');
    expect(again.errors[0]?.code).toBe('duplicate-invoice');
    const count = await ctx.db.selectFrom('einvoices').select('id').where('organization_id', '=', org.id).where('number', '=', '82202787022').execute();
    expect(count).toHaveLength(1);
  });

  // ubl-tc434-example2.xml has document allowances and charges, three VAT categories and a
  // prepaid amount; each copy breaks one rule, the totals after it made to agree again.
  const BROKEN: [string, [string, string][], string, string][] = [
    ['BR-CO-11', [['<cbc:Amount currencyID="NOK">100.00</cbc:Amount>', '<cbc:Amount currencyID="NOK">90.00</cbc:Amount>']], '90.00', '100.00'],
    ['BR-CO-12', [['Freight</cbc:AllowanceChargeReason>\n        <cbc:Amount currencyID="NOK">100.00', 'Freight</cbc:AllowanceChargeReason>\n        <cbc:Amount currencyID="NOK">110.00']], '110.00', '100.00'],
    ['BR-CO-13', [['TaxExclusiveAmount currencyID="NOK">1436.50', 'TaxExclusiveAmount currencyID="NOK">1436.60'], ['1801.78', '1801.88'], ['801.78', '801.88']], '1436.50', '1436.60'],
    ['BR-CO-14', [['<cbc:TaxAmount currencyID="NOK">365.28', '<cbc:TaxAmount currencyID="NOK">365.38'], ['1801.78', '1801.88'], ['801.78', '801.88']], '365.28', '365.38'],
    ['BR-CO-15', [['1801.78', '1801.88'], ['801.78', '801.88']], '1801.78', '1801.88'],
    ['BR-CO-16', [['PayableAmount currencyID="NOK">801.78', 'PayableAmount currencyID="NOK">801.79']], '801.78', '801.79'],
  ];
  for (const [rule, changes, expected, found] of BROKEN) {
    it(`reports exactly ${rule} in a copy of ubl-tc434-example2.xml that breaks it`, async () => {
      let file = fixture('ubl-tc434-example2.xml').toString('utf8').replace('<cbc:ID>TOSL108</cbc:ID>', `<cbc:ID>TOSL108-${rule}</cbc:ID>`);
      for (const [from, to] of changes) {
        expect(file).toContain(from);
        file = file.replace(from, to);
      }
      const invoice = await invoiceOf((await parsed(file)).id);
      expect(invoice.findings.map((f) => ({ rule: f.rule, expected: f.expected, found: f.found }))).toEqual([{ rule, expected, found }]);
    });
  }

  it('reports exactly BR-CO-10 when one line amount is changed', async () => {
    const file = fixture('ubl-tc434-example1.xml').toString('utf8').replace('<cbc:ID>12115118</cbc:ID>', '<cbc:ID>12115118-B</cbc:ID>').replace('<cbc:LineExtensionAmount currencyID="EUR">9.95</cbc:LineExtensionAmount>', '<cbc:LineExtensionAmount currencyID="EUR">9.96</cbc:LineExtensionAmount>');
    const invoice = await invoiceOf((await parsed(file)).id);
    expect(invoice.findings.map(({ rule, expected, found }) => ({ rule, expected, found }))).toEqual([{ rule: 'BR-CO-10', expected: '229.61', found: '229.60' }]);
  });
});

describe('GET /v1/invoices', () => {
  it('lists, shows and pages the lines of an invoice, by subscription; another organisation gets 404', async () => {
    const file = fixture('ubl-tc434-example1.xml').toString('utf8').replace('<cbc:ID>12115118</cbc:ID>', '<cbc:ID>12115118-C</cbc:ID>');
    // Line 1 names a subscription by its object identifier (BT-128); the others name none.
    const named = file
      .replace('<cbc:LineExtensionAmount currencyID="EUR">19.90</cbc:LineExtensionAmount>', '<cbc:LineExtensionAmount currencyID="EUR">19.90</cbc:LineExtensionAmount><cac:DocumentReference><cbc:ID schemeID="ABZ">+31612345001</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:DocumentReference>');
    const done = await parsed(named);
    const invoice = await invoiceOf(done.id);
    const list = await call<{ items: { id: string; number: string; findingsCount: number; totals: { payable: string } }[]; nextCursor: string | null }>('get', '/v1/invoices?limit=200', { auth: org.key });
    const item = list.body.items.find((i) => i.id === invoice.id);
    expect(item).toMatchObject({ number: '12115118-C', findingsCount: 0, totals: { payable: '250.3300' } });
    const detail = await call<{ supplier: { name: string; vat: string }; taxBreakdown: unknown[]; findings: unknown[] }>('get', `/v1/invoices/${invoice.id}`, { auth: org.key });
    expect(detail.status).toBe(200);
    expect(detail.body.supplier).toMatchObject({ name: 'De Koksmaat', vat: 'NL8200.98.395.B.01' });
    expect(detail.body.taxBreakdown).toHaveLength(2);
    const page = await call<{ items: { lineId: string; subscription: string | null }[]; nextAfter: number | null }>('get', `/v1/invoices/${invoice.id}/lines?limit=15`, { auth: org.key });
    expect(page.body.items).toHaveLength(15);
    expect(page.body.items[0]).toMatchObject({ lineId: '1', subscription: '+31612345001' });
    expect(page.body.items[1]?.subscription).toBeNull();
    const rest = await call<{ items: unknown[]; nextAfter: number | null }>('get', `/v1/invoices/${invoice.id}/lines?limit=15&after=${page.body.nextAfter}`, { auth: org.key });
    expect(rest.body.items).toHaveLength(5);
    expect(rest.body.nextAfter).toBeNull();
    const mine = await call<{ items: { lineId: string }[] }>('get', `/v1/invoices/${invoice.id}/lines?subscription=%2B31612345001`, { auth: org.key });
    expect(mine.body.items.map((l) => l.lineId)).toEqual(['1']);

    const other = await newOrganization(call, ctx, 'Waterschap Elders');
    expect((await call('get', `/v1/invoices/${invoice.id}`, { auth: other.key })).status).toBe(404);
    expect((await call('get', `/v1/invoices/${invoice.id}/lines`, { auth: other.key })).status).toBe(404);
    expect((await call<{ items: unknown[] }>('get', '/v1/invoices', { auth: other.key })).body.items).toEqual([]);
  });
});

describe('retention (P8)', () => {
  it('keeps an invoice and its lines 7 years after the end of its fiscal year, then deletes them', async () => {
    // ubl-tc434-creditnote1.xml, issued 23 September 2019, stored by the first test: kept until 1 January 2027.
    const invoice = await ctx.db.selectFrom('einvoices').select(['id', 'retain_from']).where('organization_id', '=', org.id).where('number', '=', '018304 / 28865').executeTakeFirstOrThrow();
    const lines = () => ctx.db.selectFrom('einvoice_lines').select('id').where('invoice_id', '=', invoice.id).execute();
    expect(await lines()).toHaveLength(1);
    await purgeAll(ctx.db, einvoiceRetention, { now: new Date('2026-12-31T12:00:00Z'), batchSize: 10 });
    expect(await ctx.db.selectFrom('einvoices').select('id').where('id', '=', invoice.id).execute()).toHaveLength(1);
    expect(await lines()).toHaveLength(1);
    await purgeAll(ctx.db, einvoiceRetention, { now: new Date('2027-01-01T12:00:00Z'), batchSize: 10 });
    expect(await ctx.db.selectFrom('einvoices').select('id').where('id', '=', invoice.id).execute()).toEqual([]);
    expect(await lines()).toEqual([]);
  });
});
