// Call-detail exports as carriers' portals and Excel really write them, found by an adversarial
// pass (2026-12-06). Each case failed before:
// - a call time with its zone (`07:15:02 UTC`, `08:15:02 CET`) was stored as Amsterdam time,
//   the zone dropped without a word (an hour off, a month's edge crossed); `…Z`, `+01:00` and
//   fractions of a second were refused as invalid-date;
// - a closing total row (`Totaal;;…;1.320,87`) was refused as invalid-number, and under the
//   default TEM_MAX_BAD_ROWS (1 %) that one row rejected a whole file of under 100 calls;
// - two columns with the same header name: the first was used, the other ignored, a guess at
//   which is the call's date or amount.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { acceptedWindow } from '../workers/tem/calendar.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { finished, thisMonth, uploadRaw, type Upload } from './helpers/tem.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);

// Last month: its days are all winter time (CET, +01:00) only if it is not October or March; the
// cases name offsets explicitly, so the expected Amsterdam time is computed here, not assumed.
const [, month, year] = thisMonth(1, 1).split('-');
const day = `${year}-${month}-03`;
const sampleText = readFileSync(new URL('fixtures/cdr/sample-nl-carrier-cdr.csv', import.meta.url), 'utf8').replaceAll('-01-2026', `-${month}-${year}`);
const [header = '', ...rows] = sampleText.replace(/^\uFEFF/, '').trimEnd().split('\r\n');

let uploads = 0;
/** Uploads the lines for an organisation of their own (the same calls twice in one are refused as duplicate-calls) and waits for its parse. */
async function parsed(lines: string[]): Promise<Upload> {
  const org = await newOrganization(call, ctx, `Export Realiteit ${++uploads} BV`);
  const answer = await uploadRaw(runtime, org.key, lines.join('\r\n'));
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return finished(call, org.key, answer.body.id, 30_000);
}

async function localTimes(uploadId: string): Promise<string[]> {
  const result = await sql<{ local: string }>`SELECT to_char(started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS') AS local FROM call_records WHERE upload_id = ${uploadId} ORDER BY line`.execute(ctx.db);
  return result.rows.map((r) => r.local);
}

/** The Amsterdam wall-clock time of an instant. */
const amsterdam = (iso: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: 'Europe/Amsterdam' });

describe('a call time with its time zone', () => {
  it('is read as the instant it names, stored as Amsterdam time', async () => {
    const cases: [string, string][] = [
      [`${day}T07:15:02Z`, `${day}T07:15:02Z`],
      [`${day}T08:15:02+01:00`, `${day}T08:15:02+01:00`],
      [`${day}T09:15:02+0200`, `${day}T09:15:02+02:00`],
      [`03-${month}-${year} 07:15:02 UTC`, `${day}T07:15:02Z`],
      [`03-${month}-${year} 07:15:02 GMT`, `${day}T07:15:02Z`],
      [`03-${month}-${year} 08:15:02 CET`, `${day}T08:15:02+01:00`],
      [`03-${month}-${year} 10:15:02 CEST`, `${day}T10:15:02+02:00`],
      [`${day}T23:30:00-05:00`, `${day}T23:30:00-05:00`],
      [`${day} 08:15:02.987`, ''],
    ];
    const done = await parsed(['Mobiel nummer;Datum/tijd;Verkeerssoort;Bedrag', ...cases.map(([text]) => `0612345001;${text};Spraak;1,00`)]);
    expect(done, JSON.stringify(done.errors)).toMatchObject({ status: 'parsed', rowsStored: cases.length, rowsRefused: 0 });
    expect(await localTimes(done.id)).toEqual(cases.map(([, instant]) => (instant ? amsterdam(instant) : `${day} 08:15:02`)));
  });

  it('is read from a separate time column too', async () => {
    const done = await parsed(['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', `0612345001;03-${month}-${year};07:15:02Z;Spraak;1,00`, `0612345001;03-${month}-${year};08:15:02 CET;Spraak;1,00`]);
    expect(done, JSON.stringify(done.errors)).toMatchObject({ status: 'parsed', rowsStored: 2 });
    expect(await localTimes(done.id)).toEqual([amsterdam(`${day}T07:15:02Z`), amsterdam(`${day}T08:15:02+01:00`)]);
  });

  // The last Sunday of October an upload takes now (2026-10-25 until April 2027; none in May-July).
  const fallBack = [new Date().getUTCFullYear(), new Date().getUTCFullYear() - 1]
    .map((y) => `${y}-10-${31 - new Date(Date.UTC(y, 9, 31)).getUTCDay()}`)
    .find((d) => `${d} 12:00:00` >= acceptedWindow(new Date()).from && `${d} 12:00:00` < acceptedWindow(new Date()).until);
  it.skipIf(fallBack === undefined)('is stored as its instant in the hour the clocks go back (02:30 summer time, then 02:30 winter time)', async () => {
    const times = [`${fallBack}T00:30:00Z`, `${fallBack}T01:30:00Z`, `${fallBack}T02:30:00+02:00`, `${fallBack}T02:30:00+01:00`];
    const done = await parsed(['Mobiel nummer;Datum/tijd;Verkeerssoort;Bedrag', ...times.map((t, i) => `0612345001;${t};Spraak;1,0${i}`)]);
    expect(done, JSON.stringify(done.errors)).toMatchObject({ status: 'parsed', rowsStored: 4 });
    const stored = await sql<{ instant: string }>`SELECT extract(epoch FROM started_at)::text AS instant FROM call_records WHERE upload_id = ${done.id} ORDER BY line`.execute(ctx.db);
    expect(stored.rows.map((r) => Number(r.instant) * 1000)).toEqual(times.map((t) => Date.parse(t)));
    const latest = await sql<{ latest: Date }>`SELECT retain_from AS latest FROM tem_uploads WHERE id = ${done.id}`.execute(ctx.db);
    expect(latest.rows[0]?.latest.getTime()).toBe(Date.parse(`${fallBack}T01:30:00Z`));
  });

  it('is refused as invalid-date when the zone is not one it can read, never dropped', async () => {
    const done = await parsed(['Mobiel nummer;Datum/tijd;Verkeerssoort;Bedrag', `0612345001;03-${month}-${year} 08:15:02 PST;Spraak;1,00`, `0612345001;03-${month}-${year} 08:15:02 extra;Spraak;1,00`]);
    expect(done.status).toBe('rejected');
    expect(done.errors).toEqual([
      { line: 2, code: 'invalid-date', column: 'datetime' },
      { line: 3, code: 'invalid-date', column: 'datetime' },
    ]);
  });
});

describe("a carrier's closing total row", () => {
  it('is no call: the sample with it is parsed whole (17 rows, none refused)', async () => {
    for (const total of ['Totaal;;;;;;;;;;;;;;;;;1.320,87;', ';;;;Totaal;;;;;;;;;;;;;1.320,87;', 'Total amount excl. VAT;;;;;;;;;;;;;;;;;1.320,87;']) {
      const done = await parsed([header, ...rows, total]);
      expect(done, total).toMatchObject({ status: 'parsed', rowsStored: 17, rowsRefused: 0, errors: [] });
    }
  });

  it('is still refused when data rows follow it (a subtotal inside the file is not skipped unseen)', async () => {
    const done = await parsed([header, rows[0] ?? '', 'Subtotaal;;;;;;;;;;;;;;;;;0,00;', ...rows.slice(1)]);
    expect(done.status).toBe('rejected');
    expect(done.errors).toEqual([{ line: 3, code: 'invalid-number', column: 'msisdn' }]);
  });
});

describe('two columns with the same header name', () => {
  it('rejects the layout naming the column, rather than guessing which one is meant', async () => {
    const done = await parsed([header.replace('Gefactureerde seconden', 'Bedrag excl. btw (EUR)'), ...rows]);
    expect(done.status).toBe('rejected');
    expect(done.errors).toEqual([{ line: 1, code: 'duplicate-column', column: 'Bedrag excl. btw (EUR)' }]);
  });

  it('still takes a repeated header name it does not use', async () => {
    const done = await parsed([header.replace('Factuurnummer;Klantnummer', 'Nummer;Nummer'), ...rows]);
    expect(done).toMatchObject({ status: 'parsed', rowsStored: 17 });
  });
});

// Exports made for Excel start with `sep=;` (Excel's own hint for the separator, then the
// header): the file was rejected for an unknown layout, `sep=` taken for the header.
describe("a file that starts with Excel's sep= line", () => {
  it('reads the separator it names and the header after it; line numbers stay the file’s', async () => {
    for (const [sep, lines] of [[';', [header, ...rows]], ['\t', [header, ...rows].map((l) => l.replaceAll(';', '\t'))]] as const) {
      const done = await parsed([`sep=${sep}`, ...lines, ...[';;;;;;;;;;;;;;;;;;', 'x;03-01-2026;;;;;;;;;;Spraak;;;;;;0,00;21'].map((l) => l.replaceAll(';', sep))]);
      expect(done, JSON.stringify(done.errors)).toMatchObject({ status: 'rejected', rowsStored: 0 });
      // Rejected for the row it cannot read (one of 18, past 1 %), named by its line in the file: 1 sep, 2 header, 3-19 the sample, 20 the empty row skipped, 21 the bad one.
      expect(done.errors).toEqual([{ line: 21, code: 'invalid-number', column: 'msisdn' }]);
    }
    const done = await parsed(['SEP=;', header, ...rows]);
    expect(done).toMatchObject({ status: 'parsed', rowsStored: 17 });
  });
});
