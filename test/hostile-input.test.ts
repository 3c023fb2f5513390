// Issue 17, hostile input found by attacking a running platform route by route (the answers and
// what was kept): a path segment that does not decode, call-detail files with a NUL, an
// impossible amount or duration, a binary or UTF-16 file read as text, and a subscriber CSV
// with a NUL or a cut emoji. Each was a 500 or an upload retried ten times and then 'failed'.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { finished, thisMonth, uploadRaw } from './helpers/tem.js';
import { utf16 } from './helpers/utf16.js';

const ctx = await createTestContext({ TEM_MAX_BAD_ROWS: '50' });
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const url = baseUrl(runtime);
const org = await newOrganization(call, ctx, 'Vijandig BV');

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { status: number; errors?: { field: string; message: string }[] };
}

describe('a path segment that is not percent-encoded UTF-8', () => {
  it('answers 400 naming the path, on /v1, /public and /ops (was 500)', async () => {
    const v1 = await problemOf(await fetch(`${url}/v1/contacts/%ED%A0%80`, { headers: { authorization: `Bearer ${org.key}` } }), 400);
    expect(v1.errors).toEqual([{ field: 'path', message: 'not valid percent-encoded UTF-8' }]);
    await problemOf(await fetch(`${url}/v1/lists/%E0%A4%A/subscribers`, { method: 'POST', headers: { authorization: `Bearer ${org.key}` } }), 400);
    await problemOf(await fetch(`${url}/public/lists/%C0%AF/subscribe`), 400);
    await problemOf(await fetch(`${url}/ops/privacy-requests/%ED%A0%80`, { headers: { authorization: opsAuth(ctx) } }), 400);
    await problemOf(await fetch(`${url}/v1/sms/opt-outs/%FF`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } }), 400);
  });
});

/** A call-detail file in the generic layout; `rows` replace the cells of line i + 2. */
let files = 0;
/** Each file's calls at a second of their own: the same calls in two uploads are refused as duplicate-calls. */
function cdr(rows: { user?: string; amount?: string; duration?: string; vat?: string }[]): string {
  const date = thisMonth(2, 1);
  const second = String(++files % 60).padStart(2, '0');
  const lines = ['Mobiel nummer;Gebruiker;Datum;Starttijd;Verkeerssoort;Duur;Bedrag;Btw %'];
  rows.forEach((row, i) => lines.push(`0612345${String(i).padStart(3, '0')};${row.user ?? 'J. de Vries'};${date};10:${String(i).padStart(2, '0')}:${second};Spraak;${row.duration ?? '00:01:00'};${row.amount ?? '1,25'};${row.vat ?? '21'}`));
  return lines.join('\r\n') + '\r\n';
}

describe('call-detail rows Postgres cannot store', () => {
  it('refuses the row with a NUL, an amount, VAT rate or duration past its column, and stores the rest (was retried, then failed whole)', async () => {
    const rows = [{}, { user: 'J.\u0000Vries' }, { amount: '9'.repeat(13) }, { vat: '1000' }, { duration: '9999999999' }, {}, { amount: '-999999999999,99' }, {}, {}, {}];
    const answer = await uploadRaw(runtime, org.key, cdr(rows));
    expect(answer.status).toBe(202);
    const done = await finished(call, org.key, answer.body.id);
    expect(done.status).toBe('parsed');
    expect(done.rowsStored).toBe(6);
    expect(done.errors).toEqual([
      { line: 3, code: 'invalid-characters', column: 'user' },
      { line: 4, code: 'invalid-amount', column: 'amount' },
      { line: 5, code: 'invalid-vat-rate', column: 'vatRate' },
      { line: 6, code: 'invalid-duration', column: 'duration' },
    ]);
    const stored = await ctx.db.selectFrom('call_records').select(['line', 'amount']).where('upload_id', '=', answer.body.id).orderBy('line').execute();
    expect(stored).toEqual([
      { line: 2, amount: '1.2500' },
      { line: 7, amount: '1.2500' },
      { line: 8, amount: '-999999999999.9900' },
      { line: 9, amount: '1.2500' },
      { line: 10, amount: '1.2500' },
      { line: 11, amount: '1.2500' },
    ]);
  });

  it('refuses by line an amount or VAT rate that rounds past its column, and stores one that rounds within it (was the whole upload rejected)', async () => {
    // numeric(16, 4) and numeric(5, 2) round the fraction: 999999999999.99995 becomes 13 whole digits, 999.995 four.
    const rows = [{ amount: '999999999999,99995' }, { vat: '999,995' }, { amount: '999999999999,99994' }, { vat: '999,994' }, {}, {}, {}, {}];
    const answer = await uploadRaw(runtime, org.key, cdr(rows));
    expect(answer.status).toBe(202);
    const done = await finished(call, org.key, answer.body.id);
    expect(done.status).toBe('parsed');
    expect(done.errors).toEqual([
      { line: 2, code: 'invalid-amount', column: 'amount' },
      { line: 3, code: 'invalid-vat-rate', column: 'vatRate' },
    ]);
    const stored = await ctx.db.selectFrom('call_records').select(['line', 'amount', 'vat_rate']).where('upload_id', '=', answer.body.id).where('line', 'in', [4, 5]).orderBy('line').execute();
    expect(stored).toEqual([
      { line: 4, amount: '999999999999.9999', vat_rate: '21.00' },
      { line: 5, amount: '1.2500', vat_rate: '999.99' },
    ]);
  });
  it('rejects a binary, gzip or BOM-less UTF-16 file read as text by the columns it lacks, its header names without NUL or half an emoji (was retried, then failed)', async () => {
    const bomless = Buffer.from(cdr([{}]), 'utf16le');
    const answer = await uploadRaw(runtime, org.key, bomless);
    expect(answer.status).toBe(202);
    const done = await finished(call, org.key, answer.body.id);
    expect(done.status).toBe('rejected');
    expect(done.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['missing-column', 'unknown-column']));
    expect(JSON.stringify(done.errors)).not.toContain('\\u0000');

    // 59 emoji and more: the shown name is cut at 60 characters, never inside a pair.
    const emoji = `Kolom ${'😀'.repeat(70)};Iets\r\n1;2\r\n`;
    const second = await uploadRaw(runtime, org.key, emoji);
    const rejected = await finished(call, org.key, second.body.id);
    expect(rejected.status).toBe('rejected');
    const shown = rejected.errors.find((e) => e.code === 'unknown-column' && e.column?.startsWith('Kolom'))?.column ?? '';
    expect(Array.from(shown)).toHaveLength(60);
    expect(shown).not.toMatch(/\p{Cs}/u);
  });
});

describe('a call-detail file in UTF-16 (Excel\'s "Unicode text")', () => {
  it('reads it by its byte order mark, tabs and all (it was rejected for the columns its NULs hid)', async () => {
    const tabs = cdr([{ user: 'José Müller' }, {}]).replaceAll(';', '\t');
    const answer = await uploadRaw(runtime, org.key, utf16(tabs));
    expect(answer.status).toBe(202);
    const done = await finished(call, org.key, answer.body.id);
    expect(done).toMatchObject({ status: 'parsed', rowsStored: 2, errors: [] });
    const stored = await ctx.db.selectFrom('call_records').select(['line', 'msisdn', 'amount']).where('upload_id', '=', answer.body.id).orderBy('line').execute();
    expect(stored).toEqual([
      { line: 2, msisdn: '+31612345000', amount: '1.2500' },
      { line: 3, msisdn: '+31612345001', amount: '1.2500' },
    ]);
    const holder = await ctx.db.selectFrom('tem_subscriptions').select('holder_name').where('organization_id', '=', org.id).where('msisdn', '=', '+31612345000').executeTakeFirstOrThrow();
    expect(holder.holder_name).toBe('José Müller');
  });

  it('reads a BOM-less one in the charset its Content-Type names, and answers 400 naming the header for a charset it cannot read', async () => {
    const named = await uploadRaw(runtime, org.key, Buffer.from(cdr([{ user: 'Zoë' }, {}]).replaceAll(';', '\t'), 'utf16le'), 'text/csv; charset=utf-16le');
    expect(named.status).toBe(202);
    expect(await finished(call, org.key, named.body.id)).toMatchObject({ status: 'parsed', rowsStored: 2, errors: [] });
    const unknown = await uploadRaw(runtime, org.key, cdr([{}]), 'text/csv; charset=klingon');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ errors: [{ field: 'header.content-type' }] });
  });

  it('rejects one of an odd number of bytes, or with half a surrogate pair, as invalid-encoding at once (never a U+FFFD)', async () => {
    for (const tail of [[0x41], [0x3d, 0xd8, 0x0d, 0x00, 0x0a, 0x00]]) {
      const answer = await uploadRaw(runtime, org.key, Buffer.concat([utf16(cdr([{}, {}])), Buffer.from(tail)]));
      expect(answer.status).toBe(202);
      const done = await finished(call, org.key, answer.body.id);
      expect(done).toMatchObject({ status: 'rejected', rowsStored: 0, errors: [{ line: null, code: 'invalid-encoding' }] });
    }
  });
});

describe('a subscriber CSV with what Postgres cannot store', () => {
  it('refuses the row with a NUL by number, keeps the others, and cuts a long cell before an emoji rather than inside it (was 500)', async () => {
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Leden' } })).body;
    const long = `${'a'.repeat(999)}😀`;
    const text = `email;naam;plaats\r\neen@voorbeeld.nl;Een;Tilburg\r\ntwee@voorbeeld.nl;T\u0000wee;Breda\r\ndrie@voorbeeld.nl;Drie;${long}\r\n`;
    const response = await fetch(`${url}/v1/lists/${list.id}/subscribers?basis=consent`, { method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': 'text/csv' }, body: text });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ added: 2, updated: 0, suppressed: 0, invalid: 1, rejected: [{ row: 2, reason: 'invalid-characters' }] });
    const drie = await ctx.db.selectFrom('newsletter_subscribers').select('attributes').where('list_id', '=', list.id).where('email', '=', 'drie@voorbeeld.nl').executeTakeFirstOrThrow();
    expect(drie.attributes).toEqual({ plaats: 'a'.repeat(999) });
  });
});

describe('a CSV line of megabytes', () => {
  it('rejects a call-detail file with a line past 1 MiB as malformed-csv rather than reading it (a 20 MB line took 85 s of CPU)', async () => {
    const file = `Mobiel nummer;Datum;Verkeerssoort;Bedrag\r\n0612345678;${thisMonth(2, 1)};Spraak;1,00\r\n${'A'.repeat(3 * 1024 * 1024)}\r\n`;
    const answer = await uploadRaw(runtime, org.key, file);
    expect(answer.status).toBe(202);
    const done = await finished(call, org.key, answer.body.id);
    expect(done).toMatchObject({ status: 'rejected', errors: [{ line: null, code: 'malformed-csv' }] });
  });

  it('answers 400 to a subscriber CSV with such a line', async () => {
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Lang' } })).body;
    const text = `email;naam\r\neen@voorbeeld.nl;${'x'.repeat(2 * 1024 * 1024)}\r\n`;
    const problem = await problemOf(await fetch(`${url}/v1/lists/${list.id}/subscribers?basis=consent`, { method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': 'text/csv' }, body: text }), 400);
    expect(problem.errors).toEqual([{ field: 'body', message: 'malformed CSV (CSV_MAX_RECORD_SIZE)' }]);
  });

  it('reads an SMS recipients file without a line break in bounded CPU time (12 MB took 8 s of the web process, growing with the square)', async () => {
    const form = new FormData();
    form.append('sender', 'Test');
    form.append('body', 'Hallo');
    form.append('file', new Blob([`phone;${'A'.repeat(12 * 1024 * 1024)}`], { type: 'text/csv' }), 'lang.csv');
    const before = process.cpuUsage();
    const problem = await problemOf(await fetch(`${url}/v1/sms/batches/csv`, { method: 'POST', headers: { authorization: `Bearer ${org.key}` }, body: form }), 400);
    const used = process.cpuUsage(before);
    expect(problem.errors?.[0]?.field).toBe('body.file');
    expect((used.user + used.system) / 1e6).toBeLessThan(3);
  });
});
