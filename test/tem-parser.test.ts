// The call-detail parser alone: the shared Dutch sample (../shared/testdata/cdr) reproduced
// exactly, and layouts of our own (English, ',' with decimal points, Windows-1252, ISO dates).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openCdr } from '../workers/tem/cdr-file.js';
import { decodeText } from '../workers/core/csv-sniff.js';
import type { Canonical } from '../workers/tem/normalise.js';
import { profileNamed } from '../workers/tem/profile.js';

const SAMPLE = new URL('fixtures/cdr', import.meta.url).pathname;

async function* bytes(...pieces: Buffer[]) {
  for (const piece of pieces) yield await Promise.resolve(piece);
}

async function parseAll(...pieces: Buffer[]) {
  const layout = await openCdr(decodeText(bytes(...pieces)), profileNamed(null));
  if (!layout.ok) return { layout: layout.errors, records: [] as Canonical[], refused: [] as { line: number; code: string }[] };
  const records: Canonical[] = [];
  const refused: { line: number; code: string }[] = [];
  for await (const { cells, line } of layout.rows) {
    const result = layout.normalise(cells, line);
    if (result.ok) records.push(result.record);
    else refused.push({ line: result.line, code: result.code });
  }
  return { layout: null, records, refused };
}

interface Expected {
  rows: number;
  totalExclVat: string;
  roamingRows: number;
  roamingAmount: string;
  maskedBNumbers: number;
  records: { msisdn_e164: string; start_local: string | null; type: string; roaming: boolean; duration_s: number | null; billed_s: number | null; volume_mb: string | null; amount_excl_vat: string; b_number_masked: boolean; cost_centre: string | null }[];
}

const TYPES: Record<string, string> = { Spraak: 'voice', SMS: 'sms', Data: 'data', Voicemail: 'voicemail', Abonnement: 'subscription' };
const cents = (amount: string) => BigInt(Math.round(Number(amount) * 100)); // test-side only, on two-decimal inputs
const sum = (amounts: string[]) => amounts.reduce((total, a) => total + cents(a), 0n);

describe('the CDR parser', () => {
  it('reproduces the shared Dutch sample exactly', async () => {
    const expected = JSON.parse(readFileSync(`${SAMPLE}/expected-cdr.json`, 'utf8')) as Expected;
    const { layout, records, refused } = await parseAll(readFileSync(`${SAMPLE}/sample-nl-carrier-cdr.csv`));
    expect(layout).toBeNull();
    expect(refused).toEqual([]);
    expect(records).toHaveLength(expected.rows);
    expect(
      records.map((r) => ({
        msisdn_e164: r.msisdn,
        start_local: r.startLocal?.replace(' ', 'T') ?? null,
        type: r.type,
        roaming: r.roaming,
        duration_s: r.durationS,
        billed_s: r.billedS,
        volume_bytes: r.volumeBytes,
        amount_excl_vat: r.amount,
        b_number_masked: r.destinationMasked,
        cost_centre: r.costCentreHint,
      })),
    ).toEqual(
      expected.records.map((e) => ({
        ...e,
        type: TYPES[e.type],
        volume_mb: undefined,
        volume_bytes: e.volume_mb === null ? null : Math.round(Number(e.volume_mb) * 1000) * 1000,
      })).map(({ volume_mb: _, ...rest }) => rest),
    );
    expect(sum(records.map((r) => r.amount))).toBe(cents(expected.totalExclVat));
    expect(records.filter((r) => r.roaming)).toHaveLength(expected.roamingRows);
    expect(sum(records.filter((r) => r.roaming).map((r) => r.amount))).toBe(cents(expected.roamingAmount));
    expect(records.filter((r) => r.destinationMasked)).toHaveLength(expected.maskedBNumbers);
    expect(records.filter((r) => r.startLocal === null).map((r) => r.line)).toEqual([17, 18]);
  });

  it('reads English headers, "," separators, decimal points, ISO dates and seconds', async () => {
    const csv = [
      'Mobile number,User,Date,Time,Dialled number,Call type,Direction,Duration,Billed seconds,Volume (MB),Amount excl. VAT,VAT %,Roaming,Visited network,Cost centre',
      '+31612345678,"Smith, J.",2026-11-02,13:05:09,0900123****,voice,outgoing,65,120,,"1,234.5",21,no,,Sales',
      '0612345678,"Smith, J.",2026-11-03,07:00:00,,data,,,,12.5,0.10,21,yes,DEU Telekom,Sales',
    ].join('\n');
    const { records, refused } = await parseAll(Buffer.from(csv));
    expect(refused).toEqual([]);
    expect(records[0]).toMatchObject({ msisdn: '+31612345678', userName: 'Smith, J.', startLocal: '2026-11-02 13:05:09', type: 'voice', direction: 'outgoing', durationS: 65, billedS: 120, amount: '1234.5', destinationMasked: true, roaming: false, costCentreHint: 'Sales' });
    expect(records[1]).toMatchObject({ type: 'data', volumeBytes: 12_500_000, amount: '0.10', roaming: true, visitedNetwork: 'DEU Telekom' });
  });

  it('reads Windows-1252 (as Dutch Excel saves it), also when the first accent comes after a chunk boundary', async () => {
    const header = 'Mobiel nummer;Gebruiker;Datum;Starttijd;Verkeerssoort;Bedrag;Roaming\r\n';
    const row = (name: string) => `0612345001;${name};03-11-2026;08:15:02;Spraak;1,50;nee\r\n`;
    const latin = (text: string) => Buffer.from(text, 'latin1');
    const ascii = header + row('J. de Vries').repeat(3);
    const { records, refused } = await parseAll(latin(ascii), latin(row('M. Jansen-Ökten') + row('Zoë')));
    expect(refused).toEqual([]);
    expect(records.map((r) => r.userName)).toEqual(['J. de Vries', 'J. de Vries', 'J. de Vries', 'M. Jansen-Ökten', 'Zoë']);
    const split = Buffer.concat([latin(header), latin(row('M. Jansen-Ökten'))]);
    const at = split.indexOf(0xd6);
    const { records: again } = await parseAll(split.subarray(0, at + 1), split.subarray(at + 1));
    expect(again[0]?.userName).toBe('M. Jansen-Ökten');
  });

  it('refuses rows whose date, number or type does not parse, with their line numbers', async () => {
    const csv = ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', '0612345001;31-02-2026;08:00:00;Spraak;1,00', 'geen nummer;01-11-2026;08:00:00;Spraak;1,00', '0612345001;01-11-2026;08:00:00;Telepathie;1,00', '0612345001;01-11-2026;08:00:00;SMS;een euro', '0612345001;01-11-2026;08:00:00;SMS;0,25'].join('\n');
    const { records, refused } = await parseAll(Buffer.from(csv));
    expect(refused).toEqual([
      { line: 2, code: 'invalid-date' },
      { line: 3, code: 'invalid-number' },
      { line: 4, code: 'invalid-type' },
      { line: 5, code: 'invalid-amount' },
    ]);
    expect(records).toHaveLength(1);
  });

  it('reads amounts as Dutch accounting exports write them: (1,23) and 1,23- negative, a euro sign before', async () => {
    const amounts = ['(1,23)', '1,23-', '€ 1,23', '€1.234,56', '€ -1,23', '-€ 1,23', '€ (1.234,56)', '( 1,23 )', '€\u00a01,23', '1.234,56-', '0,00-', '(€ 1,23)', '1,23 €-'];
    const csv = ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', ...amounts.map((a) => `0612345001;01-11-2026;08:00:00;Spraak;${a}`)].join('\n');
    const { records, refused } = await parseAll(Buffer.from(csv));
    expect(refused).toEqual([]);
    expect(records.map((r) => r.amount)).toEqual(['-1.23', '-1.23', '1.23', '1234.56', '-1.23', '-1.23', '-1234.56', '-1.23', '1.23', '-1234.56', '-0.00', '-1.23', '-1.23']);
  });

  it("reads a dash alone as zero, as Excel's accounting format writes a free call ('€ -', with its padding)", async () => {
    const amounts = ['€ -', ' € -\u00a0\u00a0', '-', '€-', '-   €'];
    const csv = ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', ...amounts.map((a) => `0612345001;01-11-2026;08:00:00;Spraak;${a}`)].join('\n');
    const { records, refused } = await parseAll(Buffer.from(csv));
    expect(refused).toEqual([]);
    expect(records.map((r) => r.amount)).toEqual(['0', '0', '0', '0', '0']);
  });

  it('still refuses an amount whose sign or number is in doubt, by line and column', async () => {
    const amounts = ['(-1,23)', '-1,23-', '(1,23', '1,23)', '(1,23)-', '--1,23', '€€1,23', '1€23', '$ 1,23', '€', '()', '(-)', '- -', '1-23', '(1,2)3', '(1,23-)'];
    const csv = ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag', ...amounts.map((a) => `0612345001;01-11-2026;08:00:00;Spraak;${a}`)].join('\n');
    const layout = await openCdr(decodeText(bytes(Buffer.from(csv))), profileNamed(null));
    if (!layout.ok) throw new Error('layout');
    const refused: unknown[] = [];
    for await (const { cells, line } of layout.rows) {
      const result = layout.normalise(cells, line);
      if (!result.ok) refused.push({ line: result.line, code: result.code, column: result.column });
    }
    expect(refused).toEqual(amounts.map((_, i) => ({ line: i + 2, code: 'invalid-amount', column: 'amount' })));
  });

  it('refuses an unknown layout, naming the columns it could not place', async () => {
    const { layout } = await parseAll(Buffer.from('Foo;Bar;Bedrag\n1;2;3\n'));
    expect(layout).toEqual(
      expect.arrayContaining([
        { line: 1, code: 'missing-column', column: 'msisdn' },
        { line: 1, code: 'missing-column', column: 'date' },
        { line: 1, code: 'unknown-column', column: 'Foo' },
        { line: 1, code: 'unknown-column', column: 'Bar' },
      ]),
    );
  });
});
