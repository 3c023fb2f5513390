// E-invoices in the encodings XML allows besides UTF-8: UTF-16 after its byte order mark (either
// order), and what the XML declaration names (ISO-8859-1, windows-1252). A UTF-16 file was taken
// for a call-detail CSV (its first byte is not `<`) and rejected for its columns; a Latin-1 one was
// read as UTF-8 and rejected as not valid UTF-8. Each real example, converted with iconv, must give
// the same invoice and lines as its UTF-8 original. Contradictions (a BOM against the declaration,
// the declaration or the sender's charset against the bytes) and UTF-32 are refused by name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { finished, uploadRaw, type Upload } from './helpers/tem.js';
import { looksLikeXml, xmlEncoding } from '../workers/tem/einvoice/xml-encoding.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
/** The converted files go to one organisation, their UTF-8 originals to another (the same invoice twice is refused as a repeat). */
const org = await newOrganization(call, ctx, 'Coderingen BV');
const originals = await newOrganization(call, ctx, 'Originelen BV');

const fixture = (name: string) => readFileSync(new URL(`fixtures/ubl/${name}`, import.meta.url));

async function parsed(key: string, file: Buffer | string, contentType = 'application/xml'): Promise<Upload> {
  const answer = await uploadRaw(runtime, key, file, contentType);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return finished(call, key, answer.body.id);
}

/** The invoice an upload made and its lines, without what differs between two uploads of it (ids, times). */
async function stored(uploadId: string) {
  const { id, organization_id, upload_id, created_at, retain_from, ...invoice } = await ctx.db.selectFrom('einvoices').selectAll().where('upload_id', '=', uploadId).executeTakeFirstOrThrow();
  void [organization_id, upload_id, created_at, retain_from];
  const lines = await ctx.db.selectFrom('einvoice_lines').selectAll().where('invoice_id', '=', id).orderBy('seq').execute();
  return { invoice, lines: lines.map(({ id: _id, invoice_id: _invoice, organization_id: _org, ...line }) => line) };
}

/** UTF-16 after its byte order mark, as iconv writes it. */
const utf16 = (text: string, order: 'le' | 'be') => {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  return order === 'le' ? le : le.swap16();
};
const utf32 = (text: string, order: 'le' | 'be') =>
  Buffer.concat([...`\uFEFF${text}`].map((c) => {
    const unit = Buffer.alloc(4);
    if (order === 'le') unit.writeUInt32LE(c.codePointAt(0)!);
    else unit.writeUInt32BE(c.codePointAt(0)!);
    return unit;
  }));

describe('real examples converted with iconv', () => {
  const cases: [string, string, string][] = [
    ['UTF-16LE with its BOM, declared UTF-16 (UBL)', 'BIS_Billing_30-Telefoni.utf16le.xml', 'BIS_Billing_30-Telefoni.xml'],
    ['UTF-16BE with its BOM, declared UTF-16 (CII)', 'cii-mirror-creditnote1.utf16be.xml', 'cii-mirror-creditnote1.xml'],
    ['ISO-8859-1, declared so in its prolog (UBL)', 'BIS_Billing_30-Elnat.iso-8859-1.xml', 'BIS_Billing_30-Elnat.xml'],
  ];
  for (const [what, converted, original] of cases) {
    it(`reads ${what} to the same invoice and lines as its UTF-8 original`, async () => {
      const done = await parsed(org.key, fixture(converted));
      expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
      const want = await parsed(originals.key, fixture(original));
      expect(want.status).toBe('parsed');
      expect(done.rowsStored).toBe(want.rowsStored);
      const [got, expected] = [await stored(done.id), await stored(want.id)];
      expect(got).toEqual(expected);
      // The non-ASCII letters are there, not U+FFFD or mojibake.
      expect(JSON.stringify(got)).toMatch(/[äöåé]/);
      expect(JSON.stringify(got)).not.toMatch(/\uFFFD|Ã/);
    });
  }

  it('reads windows-1252 as its declaration names it (a euro sign, 0x80)', async () => {
    const latin = fixture('BIS_Billing_30-Elnat.iso-8859-1.xml').toString('latin1');
    const file = Buffer.from(latin.replace('encoding="ISO-8859-1"', 'encoding="windows-1252"').replace('<cbc:ID>82202787022</cbc:ID>', '<cbc:ID>W-1252</cbc:ID>').replace('<cbc:Name>Elöverföring', '<cbc:Name>\u0080 Elöverföring'), 'latin1');
    const done = await parsed(org.key, file);
    expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
    const { invoice, lines } = await stored(done.id);
    expect(invoice.supplier_name).toBe('Elnät AB');
    expect(lines.map((l) => l.item_name)).toContain('€ Elöverföring, tariff 4b');
  });

  it("uses the sender's charset when the document names none; the same bytes sent without it are refused as not UTF-8", async () => {
    const body = fixture('BIS_Billing_30-Elnat.iso-8859-1.xml').toString('latin1').replace(/^<\?xml[^>]*>/, '').replace('<cbc:ID>82202787022</cbc:ID>', '<cbc:ID>SENT-1252</cbc:ID>');
    const done = await parsed(org.key, Buffer.from(body, 'latin1'), 'application/xml; charset=windows-1252');
    expect(done.status, JSON.stringify(done.errors)).toBe('parsed');
    expect((await stored(done.id)).invoice.supplier_name).toBe('Elnät AB');
    const unsent = await uploadRaw(runtime, org.key, Buffer.from(body.replace('SENT-1252', 'UNSENT'), 'latin1'), 'application/xml');
    expect(unsent).toMatchObject({ status: 422, body: { detail: 'The electronic invoice cannot be read: the file is not valid utf-8.' } });
  });

  it('rejects UTF-16 cut in the middle of a code unit as not valid UTF-16, naming the encoding', async () => {
    const file = fixture('BIS_Billing_30-Telefoni.utf16le.xml');
    const done = await parsed(org.key, file.subarray(0, file.length - 1));
    expect(done).toMatchObject({ status: 'rejected', errors: [{ code: 'xml-encoding', message: 'the file is not valid utf-16le' }] });
  });
});

describe('refused by name at the upload, nothing kept', () => {
  const telefoni = fixture('BIS_Billing_30-Telefoni.xml').toString('utf8');
  const cases: [string, Buffer, string, string][] = [
    ['UTF-16LE whose declaration still says UTF-8 (converted, prolog not edited)', utf16(telefoni, 'le'), 'application/xml', 'its byte order mark says UTF-16LE but its XML declaration says "UTF-8"'],
    ['UTF-16BE declared UTF-16LE', utf16(telefoni.replace('encoding="UTF-8"', 'encoding="UTF-16LE"'), 'be'), 'application/xml', 'its byte order mark says UTF-16BE but its XML declaration says "UTF-16LE"'],
    ['a UTF-8 BOM before a declaration of ISO-8859-1', Buffer.from(`\uFEFF${telefoni.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')}`), 'text/xml', 'its byte order mark says UTF-8 but its XML declaration says "ISO-8859-1"'],
    ['8-bit bytes declared UTF-16', Buffer.from(telefoni.replace('encoding="UTF-8"', 'encoding="UTF-16"')), 'application/xml', 'its bytes are not UTF-16 but its XML declaration says "UTF-16"'],
    ['an encoding no decoder knows', Buffer.from(telefoni.replace('encoding="UTF-8"', 'encoding="EBCDIC-NL"')), 'application/xml', 'its XML declaration names the encoding "EBCDIC-NL", which is not read'],
    ['a declaration of ISO-8859-1 sent as UTF-8', fixture('BIS_Billing_30-Elnat.iso-8859-1.xml'), 'application/xml; charset=utf-8', 'it was sent as utf-8 but its XML declaration says "ISO-8859-1"'],
    ['a UTF-16 BOM sent as windows-1252', fixture('BIS_Billing_30-Telefoni.utf16le.xml'), 'text/xml; charset=windows-1252', 'it was sent as windows-1252 but its byte order mark says UTF-16LE'],
    ['UTF-32LE (its BOM)', utf32(telefoni, 'le'), 'application/xml', 'the file is UTF-32LE (its byte order mark says so), which is not read: save it as UTF-8'],
    ['UTF-32BE (its BOM), sent as a CSV', utf32(telefoni, 'be'), 'text/csv', 'the file is UTF-32BE (its byte order mark says so), which is not read: save it as UTF-8'],
  ];
  for (const [what, body, contentType, detail] of cases) {
    it(`refuses ${what}`, async () => {
      const before = await ctx.db.selectFrom('tem_uploads').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
      const answer = await uploadRaw(runtime, org.key, body, contentType);
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      const problem = answer.body as unknown as { detail: string; errors: { field: string; message: string }[] };
      expect(problem.detail).toBe(`The electronic invoice cannot be read: ${detail}.`);
      // The file is what is wrong, unless it contradicts the charset sent with it: then that field is.
      expect(problem.errors).toEqual([{ field: detail.startsWith('it was sent as') ? 'header.content-type' : 'body', message: `xml-encoding: ${detail}` }]);
      const after = await ctx.db.selectFrom('tem_uploads').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });
  }

  it('names the charset field the file contradicts (query, form or Content-Type), not the body', async () => {
    const latin = fixture('BIS_Billing_30-Elnat.iso-8859-1.xml');
    const detail = 'it was sent as utf-8 but its XML declaration says "ISO-8859-1"';
    const url = `${baseUrl(runtime)}/v1/invoices/uploads`;
    const headers = { authorization: `Bearer ${org.key}` };
    const form = new FormData();
    form.append('charset', 'utf-8');
    form.append('file', new Blob([latin], { type: 'application/xml' }), 'factuur.xml');
    const answers = [
      ['query.charset', await fetch(`${url}?charset=utf-8`, { method: 'POST', headers: { ...headers, 'content-type': 'application/xml; charset=windows-1252' }, body: latin })],
      ['body.charset', await fetch(url, { method: 'POST', headers, body: form })],
      ['header.content-type', await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/xml; charset="UTF-8"' }, body: latin })],
    ] as const;
    for (const [field, answer] of answers) {
      expect(answer.status, field).toBe(422);
      expect(((await answer.json()) as { errors: unknown[] }).errors, field).toEqual([{ field, message: `xml-encoding: ${detail}` }]);
    }
  });

  it('still takes a UTF-16 call-detail CSV for a CSV (no `<` after its BOM)', () => {
    expect(looksLikeXml(utf16('Mobiel nummer;Datum\r\n', 'le'))).toBe(false);
    expect(looksLikeXml(utf16('  \r\n<Invoice/>', 'be'))).toBe(true);
  });
});

describe('xmlEncoding', () => {
  it.each([
    ['no BOM, no declaration', Buffer.from('<Invoice/>'), null, 'utf-8'],
    ['a declaration without an encoding', Buffer.from('<?xml version="1.0"?><Invoice/>'), null, 'utf-8'],
    ["single quotes, and ISO-8859-1 is read as browsers read it", Buffer.from("<?xml version='1.0' encoding='iso-8859-1' standalone='no'?><a/>"), null, 'windows-1252'],
    ['a UTF-16LE BOM and UTF-16 sent (the BOM says the order)', utf16('<?xml version="1.0" encoding="utf-16"?><a/>', 'le'), 'utf-16be', 'utf-16le'],
    ['UTF-16BE without a BOM, declared', utf16('<?xml version="1.0" encoding="UTF-16BE"?><a/>', 'be').subarray(2), null, 'utf-16be'],
    ['a UTF-8 BOM and UTF-8 sent', Buffer.from('\uFEFF<?xml version="1.0" encoding="UTF-8"?><a/>'), 'utf-8', 'utf-8'],
    ['a processing instruction that is not the declaration', Buffer.from('<?xml-stylesheet href="a.xsl" encoding="x"?><a/>'), null, 'utf-8'],
  ])('%s', (_what, prefix, sent, want) => {
    expect(xmlEncoding(prefix, sent)).toBe(want);
  });

  it('refuses a declaration that does not end within the bytes read for it, rather than guess past it', () => {
    expect(() => xmlEncoding(Buffer.from(`<?xml version="1.0"${' '.repeat(2000)} encoding="UTF-16"?><a/>`))).toThrow(
      expect.objectContaining({ code: 'malformed-xml', message: 'the XML declaration does not end within its first 1024 bytes' }),
    );
  });
});
