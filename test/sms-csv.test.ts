// The CSV upload (issue 4): multipart/form-data with the batch fields first, then `file`, a CSV
// with a header row; counts and rejections by data row (from 0, across the 10,000-row slices),
// personalisation from the columns, e-mail-only rows by mail; refused uploads leave no batch.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, fieldsOf, newOrganization, type Answer, type ProblemBody } from './helpers/identity.js';
import { batches } from './helpers/sms.js';
import { utf16 } from './helpers/utf16.js';

const ctx = await createTestContext();
// No SMTP_URL: e-mail goes to the local mail outbox.
const runtime = await ctx.start({ roles: ['web', 'sms', 'mail'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Fietsenmaker De Vries');

interface Batch {
  id: string;
  status: string;
  accepted: number;
  rejected: number;
  rejections: { index: number; reason: string }[];
  segments: { perMessage: number | null; total: number };
  cost: string;
  counts?: Record<string, number>;
  file?: { encoding: string; separator: string };
}

/** Parts in the order given; a part with a filename is a file. */
async function upload<T = Batch>(parts: readonly [string, string | Uint8Array, string?][], headers: Record<string, string> = {}): Promise<Answer<T>> {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (filename !== undefined) form.append(name, new Blob([value], { type: 'text/csv' }), filename);
    else form.append(name, String(value));
  }
  const response = await fetch(`${baseUrl(runtime)}/v1/sms/batches/csv`, { method: 'POST', headers: { authorization: `Bearer ${org.key}`, ...headers }, body: form });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

const fieldsFirst = (csv: string | Uint8Array, extra: [string, string][] = []): [string, string | Uint8Array, string?][] => [['sender', 'DeVries'], ['body', 'Hoi {{naam}}, je fiets is klaar.'], ...extra, ['file', csv, 'klanten.csv']];

async function batchCount(): Promise<number> {
  const row = await ctx.db.selectFrom('sms_batches').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
  return Number(row.n);
}

const completed = (id: string) => batches(call, () => org.key).finished(id);

describe('POST /v1/sms/batches/csv', () => {
  it('accepts a CSV with phone, email and naam: counts, rejections by data row, texts from the columns', async () => {
    const csv = [
      'phone,email,naam',
      '0612345678,,Anna', // 0
      '+31 (0)6 1234 5678,,Anna again', // 1: the same number
      'bel me,,Bert', // 2
      '020 1234567,,Carla', // 3: a landline
      ',dirk@example.nl,Dirk', // 4: e-mail only
      '0611111111,,', // 5: no naam
      '"0622222222",,"Eva, de buurvrouw"', // 6: quoted, with a comma
      ',,Frank', // 7: neither
    ].join('\r\n');
    const answer = await upload(fieldsFirst(csv, [['reference', 'oktober']]));
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/v1/sms/batches/${answer.body.id}`);
    // Two SMS of one segment at € 0.0750; the e-mail costs nothing.
    expect(answer.body).toMatchObject({ status: 'queued', accepted: 3, rejected: 5, segments: { perMessage: 1, total: 2 }, cost: '0.1500' });
    expect(answer.body.rejections).toEqual([
      { index: 1, reason: 'duplicate' },
      { index: 2, reason: 'invalid-phone' },
      { index: 3, reason: 'not-mobile' },
      { index: 5, reason: 'missing-field:naam' },
      { index: 7, reason: 'no-recipient' },
    ]);

    const done = await completed(answer.body.id);
    expect(done.counts).toMatchObject({ sent: 3, queued: 0, failed: 0 });
    const outbox = await ctx.db
      .selectFrom('sms_outbox as o')
      .innerJoin('sms_messages as m', 'm.id', 'o.message_id')
      .select(['m.seq', 'o.recipient', 'o.text'])
      .where('m.batch_id', '=', answer.body.id)
      .orderBy('m.seq')
      .execute();
    expect(outbox).toEqual([
      { seq: 0, recipient: '+31612345678', text: 'Hoi Anna, je fiets is klaar.' },
      { seq: 6, recipient: '+31622222222', text: 'Hoi Eva, de buurvrouw, je fiets is klaar.' },
    ]);
    const mail = await ctx.db.selectFrom('mail_outbox').select(['envelope_to', 'raw']).execute();
    expect(mail.map((m) => m.envelope_to)).toEqual([['dirk@example.nl']]);
    expect(mail[0]?.raw).toContain('Hoi Dirk, je fiets is klaar.');
  });

  it('keeps data-row indexes and duplicates across the 10,000-row slices of a 25,000-row file', async () => {
    const lines = ['naam,phone'];
    for (let i = 0; i < 25_000; i++) {
      const phone = i === 3 ? '12345' : i === 12_345 ? '020 1234567' : i === 20_000 ? '0620000001' : `+3162${String(i).padStart(7, '0')}`;
      lines.push(`Klant ${i},${phone}`);
    }
    const answer = await upload(fieldsFirst(`${lines.join('\n')}\n`));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 24_997, rejected: 3 });
    expect(answer.body.rejections).toEqual([
      { index: 3, reason: 'invalid-phone' },
      { index: 12_345, reason: 'not-mobile' },
      { index: 20_000, reason: 'duplicate' },
    ]);
    const done = await completed(answer.body.id);
    expect(done.counts).toMatchObject({ sent: 24_997, queued: 0 });
    const last = await ctx.db
      .selectFrom('sms_outbox as o')
      .innerJoin('sms_messages as m', 'm.id', 'o.message_id')
      .select(['o.recipient', 'o.text'])
      .where('m.batch_id', '=', answer.body.id)
      .where('m.seq', '=', 24_999)
      .execute();
    expect(last).toEqual([{ recipient: '+31620024999', text: 'Hoi Klant 24999, je fiets is klaar.' }]);
  });

  it('answers 400 naming body.file for a CSV without a phone or email column, and keeps no batch', async () => {
    const before = await batchCount();
    const answer = await upload<ProblemBody>(fieldsFirst('naam,telefoon\nAnna,0612345678\n'));
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.file']);
    expect(await batchCount()).toBe(before);
  });

  it('answers 400 naming body.file for a CSV with a header only', async () => {
    const before = await batchCount();
    const answer = await upload<ProblemBody>(fieldsFirst('phone,naam\n'));
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.file']);
    expect(await batchCount()).toBe(before);
  });

  it('answers 400 naming body.sender when the fields come after the file, and keeps no batch', async () => {
    const before = await batchCount();
    const answer = await upload<ProblemBody>([['file', 'phone,naam\n0612345678,Anna\n', 'klanten.csv'], ['sender', 'DeVries'], ['body', 'Hoi {{naam}}']]);
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toContain('body.sender');
    expect(await batchCount()).toBe(before);
  });

  // The last review: an optional field after the file, or a second file, was dropped unseen and the batch sent.
  it.each([
    ['a field after the file', [['reference', 'oktober']], 'body.reference', 'The field "reference" came after the file: send every field before it.'],
    ['a second file', [['extra', 'phone\n0612345679\n', 'meer.csv']], 'body.extra', 'Only one file is taken, the part named file; the part "extra" is a second one.'],
    ['a second part named file', [['file', 'phone\n0612345679\n', 'meer.csv']], 'body.file', 'Only one file is taken, the part named file; the part "file" is a second one.'],
  ] as [string, [string, string, string?][], string, string][])('answers 400 naming %s, and keeps no batch', async (_what, after, field, detail) => {
    const before = await batchCount();
    const answer = await upload<ProblemBody>([...fieldsFirst('phone,naam\n0612345678,Anna\n'), ...after]);
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual([field]);
    expect(answer.body.detail).toBe(detail);
    expect(await batchCount()).toBe(before);
  });

  it('answers 400 naming a file part sent before the file, and keeps no batch', async () => {
    const before = await batchCount();
    const answer = await upload<ProblemBody>([['sender', 'DeVries'], ['body', 'Hoi'], ['bijlage', 'x', 'x.txt'], ['file', 'phone\n0612345678\n', 'klanten.csv']]);
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.bijlage']);
    expect(await batchCount()).toBe(before);
  });

  it('answers 400 naming a field sent twice (or named __proto__ twice), and keeps no batch', async () => {
    const before = await batchCount();
    for (const name of ['sender', '__proto__']) {
      const answer = await upload<ProblemBody>([['sender', 'DeVries'], [name, 'Tweede'], ['body', 'Hoi'], ...(name === 'sender' ? [] : [[name, 'x'] as [string, string]]), ['file', 'phone\n0612345678\n', 'klanten.csv']]);
      expect(answer.status, name).toBe(400);
      expect(fieldsOf(answer), name).toEqual([`body.${name}`]);
    }
    expect(await batchCount()).toBe(before);
  });

  it('takes a body of 1,600 characters of three UTF-8 bytes each, as the JSON route does', async () => {
    const answer = await upload<{ id: string }>([['sender', 'DeVries'], ['body', '€'.repeat(1_600)], ['file', 'phone\n0612345678\n', 'klanten.csv']]);
    expect(answer.status).toBe(202);
  });

  it('answers 415 to a body that is not multipart/form-data, and keeps no batch', async () => {
    const before = await batchCount();
    const answer = await call('post', '/v1/sms/batches/csv', { auth: org.key, body: { sender: 'DeVries', body: 'Hoi', recipients: [{ phone: '0612345678' }] } });
    expect(answer.status).toBe(415);
    expect(fieldsOf(answer)).toEqual(['header.content-type']);
    expect(await batchCount()).toBe(before);
  });

  it('returns the first batch for a repeated Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'csv-oktober' };
    const first = await upload(fieldsFirst('phone,naam\n0633333333,Gijs\n'), headers);
    expect(first.status).toBe(202);
    const again = await upload(fieldsFirst('phone,naam\n0633333334,Hans\n'), headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const messages = await ctx.db.selectFrom('sms_messages').select('phone').where('batch_id', '=', first.body.id).execute();
    expect(messages).toEqual([{ phone: '+31633333333' }]);
    // The key reused for another batch (another reference): 409, nothing made.
    const other = await upload(fieldsFirst('phone,naam\n0633333335,Ina\n', [['reference', 'november']]), headers);
    expect(other.status).toBe(409);
    expect(await ctx.db.selectFrom('sms_batches').select('id').where('idempotency_key', '=', headers['idempotency-key']).execute()).toHaveLength(1);
  });
});

// Issue 9, item 8: the CSV skipped the JSON route's limits; one 2 MB cell and a column named
// `=cmd` were stored. Both paths now share workers/sms/recipient-limits.ts.
describe('the limits of a recipient, on both paths', () => {
  async function stored(): Promise<number[]> {
    const messages = await ctx.db.selectFrom('sms_messages').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return [await batchCount(), Number(messages.n)];
  }

  it.each([
    ['a 2 MB cell', `phone,naam\n0612345678,${'A'.repeat(2 * 1024 * 1024)}\n`, /column naam/],
    ['a value over 1000 characters', `phone,naam\n0612345678,Anna\n0612345679,${'B'.repeat(1001)}\n`, /column naam is longer than 1000 characters \(data row 1\)/],
    ['a column named =cmd', 'phone,naam,=cmd\n0612345678,Anna,x\n', /Column 3 of the header row has a name that is not .*\(line 1\)/],
    ['51 field columns', `phone,${Array.from({ length: 51 }, (_, i) => `f${i}`).join(',')}\n0612345678\n`, /more than 50 field columns/],
    ['a phone number of 41 characters', `phone,naam\n${'0'.repeat(41)},Anna\n`, /column phone is longer than 40 characters/],
  ])('refuses %s with 400 naming body.file, and stores nothing', async (_what, csv, message) => {
    const before = await stored();
    const answer = await upload<ProblemBody>(fieldsFirst(csv));
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.file']);
    expect(answer.body.errors?.[0]?.message).toMatch(message);
    expect(await stored()).toEqual(before);
  });

  it('skips a column without a name (a trailing separator)', async () => {
    const answer = await upload(fieldsFirst('phone,naam,\n0644444444,Ina,\n'));
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toBe(1);
  });

  it('refuses the same in JSON, naming the field', async () => {
    const send = (fields: Record<string, string>) =>
      call('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'DeVries', body: 'Hoi', recipients: [{ phone: '0612345678', fields }] } });
    const formula = await send({ '=cmd': 'x' });
    expect(formula.status).toBe(400);
    expect(fieldsOf(formula)).toEqual(['body.recipients.0.fields.=cmd']);
    const many = await send(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, 'x'])));
    expect(many.status).toBe(400);
    expect(fieldsOf(many)).toEqual(['body.recipients.0.fields']);
  });
});

// Issue 16: files as Excel saves them on a Dutch machine. "CSV" there is ';'-separated (the
// decimal separator is a comma), CRLF, Windows-1252; "CSV UTF-8" adds a BOM.
describe('CSV files as Excel saves them', () => {
  const win1252 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
  // 150 characters with José: one GSM-7 segment (160), three if it were UCS-2 (67 each).
  const longBody = `Beste {{naam}}, ${'x'.repeat(150 - 'Beste José, '.length)}`;

  async function textsOf(id: string): Promise<string[]> {
    const rows = await ctx.db.selectFrom('sms_messages').select('text').where('batch_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => r.text ?? '');
  }

  it("reads a ';'-separated Windows-1252 file with CRLF: José stays GSM-7, 160 characters a segment", async () => {
    const csv = win1252('Naam;Phone;Email\r\nJosé;0612340001;\r\nBjörn;0612340002;\r\nFrançois;;francois@example.nl\r\n');
    const answer = await upload([['sender', 'DeVries'], ['body', longBody], ['file', csv, 'klanten.csv']]);
    expect(answer.status).toBe(202);
    expect(answer.body.file).toEqual({ encoding: 'windows-1252', separator: ';' });
    expect(answer.body).toMatchObject({ accepted: 3, rejected: 0, encoding: 'gsm7', segments: { perMessage: 1, total: 2 } });
    const texts = await textsOf(answer.body.id);
    expect(texts[0]).toBe(`Beste José, ${'x'.repeat(138)}`);
    expect(texts[1]).toContain('Björn');
    expect(texts.join('')).not.toContain('\uFFFD');
  });

  it('reads "CSV UTF-8" (BOM) and tab-separated files, and says so', async () => {
    const bom = await upload(fieldsFirst(`\uFEFFphone;naam\r\n0612340011;Zoë\r\n`));
    expect(bom.status).toBe(202);
    expect(bom.body.file).toEqual({ encoding: 'utf-8', separator: ';' });
    expect(await textsOf(bom.body.id)).toEqual(['Hoi Zoë, je fiets is klaar.']);
    const tabs = await upload(fieldsFirst('phone\temail\tnaam\n0612340012\t\tAnna\n\tanna@example.nl\tAnna\n'));
    expect(tabs.status).toBe(202);
    expect(tabs.body.file).toEqual({ encoding: 'utf-8', separator: '\t' });
    expect(tabs.body.accepted).toBe(2);
    const commas = await upload(fieldsFirst('phone,naam\n0612340013,"Jansen; Piet"\n'));
    expect(commas.body.file).toEqual({ encoding: 'utf-8', separator: ',' });
    expect(await textsOf(commas.body.id)).toEqual(['Hoi Jansen; Piet, je fiets is klaar.']);
  });

  it("reads Excel's sep= first line as the separator, the header on the line after it (line numbers stay the file's)", async () => {
    const semicolons = await upload(fieldsFirst('sep=;\r\nphone;naam\r\n0612340031;Jansen, Piet\r\n'));
    expect(semicolons.status).toBe(202);
    expect(semicolons.body.file).toEqual({ encoding: 'utf-8', separator: ';' });
    expect(await textsOf(semicolons.body.id)).toEqual(['Hoi Jansen, Piet, je fiets is klaar.']);
    const tabs = await upload(fieldsFirst('\uFEFFSEP=\t\nphone\tnaam\n0612340032\tAnna\n'));
    expect(tabs.status).toBe(202);
    expect(tabs.body.file).toEqual({ encoding: 'utf-8', separator: '\t' });
    const noPhone = await upload<ProblemBody>(fieldsFirst('sep=,\nnaam,telefoon\nAnna,0612345678\n'));
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.detail).toContain('(line 2)');
    const badRow = await upload<ProblemBody>(fieldsFirst('sep=;\nphone;naam\n0612340033;"Anna\n'));
    expect(badRow.status).toBe(400);
    expect(badRow.body.detail).toContain('(line 3)');
  });

  it('decides on the first byte that is not ASCII, however far into the file', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `+3161${String(i).padStart(7, '0')};Klant`);
    const answer = await upload(fieldsFirst(win1252(`phone;naam\r\n${rows.join('\r\n')}\r\n0629999999;Renée\r\n`)));
    expect(answer.status).toBe(202);
    expect(answer.body.file?.encoding).toBe('windows-1252');
    expect((await textsOf(answer.body.id)).at(-1)).toBe('Hoi Renée, je fiets is klaar.');
  });

  it('honours the charset sent with the file, and refuses bytes not valid in it', async () => {
    const latin = await upload(fieldsFirst(win1252('phone;naam\n0612340021;José\n'), [['charset', 'ISO-8859-1']]));
    expect(latin.status).toBe(202);
    expect(latin.body.file?.encoding).toBe('windows-1252');
    const before = await batchCount();
    const notUtf8 = await upload<ProblemBody>(fieldsFirst(win1252('phone;naam\n0612340022;José\n'), [['charset', 'utf-8']]));
    expect(notUtf8.status).toBe(400);
    expect(fieldsOf(notUtf8)).toEqual(['body.file']);
    expect(notUtf8.body.detail).toBe('The file is not valid utf-8, the charset it was sent with.');
    const unknown = await upload<ProblemBody>(fieldsFirst('phone\n0612340023\n', [['charset', 'klingon']]));
    expect(unknown.status).toBe(400);
    expect(fieldsOf(unknown)).toEqual(['body.charset']);
    expect(await batchCount()).toBe(before);
  });

  it('refuses a file that mixes UTF-8 and Windows-1252 rather than guess', async () => {
    const mixed = new Uint8Array(Buffer.concat([Buffer.from('phone;naam\n0612340031;Zoë\n'), Buffer.from('0612340032;José\n', 'latin1')]));
    const answer = await upload<ProblemBody>(fieldsFirst(mixed));
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.file']);
    expect(answer.body.detail).toMatch(/mixes UTF-8 with another encoding/);
  });

  // Excel's "Unicode text": UTF-16 LE after its BOM, tab-separated. It was refused (no phone or email column: the NULs).
  it('reads UTF-16 by its byte order mark (Excel\'s "Unicode text", tabs), and says so', async () => {
    const le = await upload(fieldsFirst(utf16('Naam\tPhone\r\nJosé\t0612340041\r\n')));
    expect(le.status).toBe(202);
    expect(le.body.file).toEqual({ encoding: 'utf-16le', separator: '\t' });
    expect(le.body).toMatchObject({ accepted: 1, rejected: 0, encoding: 'gsm7' });
    expect(await textsOf(le.body.id)).toEqual(['Hoi José, je fiets is klaar.']);
    const be = await upload(fieldsFirst(utf16('phone;naam\r\n0612340042;Zoë\r\n', 'be'), [['charset', 'utf-16']]));
    expect(be.status).toBe(202);
    expect(be.body.file).toEqual({ encoding: 'utf-16be', separator: ';' });
    expect(await textsOf(be.body.id)).toEqual(['Hoi Zoë, je fiets is klaar.']);
  });

  it('refuses a UTF-16 file of an odd number of bytes or with half a surrogate pair, naming body.file, and keeps no batch', async () => {
    const before = await batchCount();
    const file = utf16('Naam\tPhone\r\nJosé\t0612340043\r\n');
    const odd = await upload<ProblemBody>(fieldsFirst(Buffer.concat([file, Buffer.from([0x0a])])));
    const unpaired = await upload<ProblemBody>(fieldsFirst(Buffer.concat([file, Buffer.from([0x3d, 0xd8, 0x41, 0x00])])));
    for (const answer of [odd, unpaired]) {
      expect(answer.status).toBe(400);
      expect(fieldsOf(answer)).toEqual(['body.file']);
      expect(answer.body.detail).toBe('The file is not valid utf-16le, as its byte order mark says it is (an odd number of bytes, or half a surrogate pair).');
    }
    expect(await batchCount()).toBe(before);
  });

  it('refuses a UTF-32 file by name (it was read as UTF-16 and refused for the columns its NULs hid), and keeps no batch', async () => {
    const before = await batchCount();
    const utf32 = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), ...[...'phone\r\n0612340044\r\n'].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0]))]);
    const answer = await upload<ProblemBody>(fieldsFirst(utf32));
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.file']);
    expect(answer.body.detail).toBe('The file is utf-32le (its byte order mark says so), which is not read: save it as "CSV UTF-8".');
    expect(await batchCount()).toBe(before);
  });

  it('words a header without phone or email as a sentence', async () => {
    const answer = await upload<ProblemBody>(fieldsFirst('naam;telefoon\r\nAnna;0612345678\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toBe('The header row needs a phone or an email column (line 1).');
  });
});

describe('opt-outs and duplicates in a streamed batch', () => {
  it('stores an opted-out number as suppressed at no cost, rejects its repeat as a duplicate, and prices only what is sent', async () => {
    const bakery = await newOrganization(call, ctx, 'Bakkerij Van Dam');
    expect((await call('post', '/v1/sms/opt-outs', { auth: bakery.key, body: { phone: '0687654321' } })).status).toBeLessThan(300);
    const csv = ['phone,email,naam', '0687654321,,Anna', '0611111111,,Bert', '06 8765 4321,,Anna', ',eva@example.nl,Eva', ',EVA@example.nl,Eva'].join('\n');
    const answer = await upload(fieldsFirst(csv), { authorization: `Bearer ${bakery.key}` });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 3, rejected: 2, rejections: [{ index: 2, reason: 'duplicate' }, { index: 4, reason: 'duplicate' }], cost: '0.0750' });
    expect(answer.body.segments.total).toBe(1);
    const stored = await ctx.db.selectFrom('sms_messages').select(['seq', 'status', 'cost', 'channel']).where('batch_id', '=', answer.body.id).orderBy('seq').execute();
    expect(stored.map((m) => [m.seq, m.status, String(m.cost), m.channel])).toEqual([
      [0, 'suppressed', '0.0000', 'sms'],
      [1, 'queued', '0.0750', 'sms'],
      [3, 'queued', '0.0000', 'email'],
    ]);
  });
});
