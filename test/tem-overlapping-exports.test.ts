// The same calls in two different files: a carrier's export of a month downloaded again (a new
// generation date in its first line, a column added), or an export of the 1st to the 15th and
// then of the whole month. Only a byte-identical file was recognised (SHA-256): any other was
// parsed again, its calls stored a second time and the cost report counted them twice. Now the
// later upload is rejected as duplicate-calls, naming the earlier one, and nothing of it is kept.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { finished, thisMonth, uploadRaw, type Upload } from './helpers/tem.js';

const ctx = await createTestContext({ TEM_MAX_BAD_ROWS: '10' });
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Dubbele Exports BV');
const other = await newOrganization(call, ctx, 'Andere Exports BV');

const [, month, year] = thisMonth(1, 1).split('-');
const period = `${year}-${month}`;
const sampleText = readFileSync(new URL('fixtures/cdr/sample-nl-carrier-cdr.csv', import.meta.url), 'utf8').replaceAll('-01-2026', `-${month}-${year}`);
const [header = '', ...rows] = sampleText.replace(/^\uFEFF/, '').trimEnd().split('\r\n');

async function parsed(key: string, lines: string[]): Promise<Upload> {
  const answer = await uploadRaw(runtime, key, lines.join('\r\n'));
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return finished(call, key, answer.body.id, 30_000);
}

async function total(key: string): Promise<string | undefined> {
  const report = await call<{ totals: { amount: string }[] }>('get', `/v1/reports/costs?period=${period}&source=calls`, { auth: key });
  return report.body.totals[0]?.amount;
}

describe('the same calls uploaded again in another file', () => {
  it('is rejected naming the upload that holds them; the report counts them once', async () => {
    const first = await parsed(org.key, [header, ...rows]);
    expect(first).toMatchObject({ status: 'parsed', rowsStored: 17 });
    expect(await total(org.key)).toBe('1320.87');
    // Downloaded again: the same rows under a header in other capitals (other bytes, the same calls).
    const again = await parsed(org.key, [header.toUpperCase(), ...rows]);
    expect(again.status).toBe('rejected');
    expect(again.errors).toEqual([{ line: null, code: 'duplicate-calls', message: `17 of its calls and charges were stored before by upload ${first.id}: delete that upload first, or upload only what it lacks` }]);
    expect(await total(org.key)).toBe('1320.87');
  });

  it('is rejected when only part of it was uploaded before (the first half of the month, then all of it)', async () => {
    const half = await parsed(other.key, [header, ...rows.slice(0, 8)]);
    expect(half.status).toBe('parsed');
    const whole = await parsed(other.key, [header, ...rows]);
    expect(whole.status).toBe('rejected');
    expect(whole.errors.map((e) => e.code)).toEqual(['duplicate-calls']);
    expect(whole.errors[0]?.message).toMatch(new RegExp(`^8 of its calls and charges were stored before by upload ${half.id}:`));
    // Once the first is deleted, the whole file is taken (it is parsed anew, as a rejected upload sent again is).
    expect((await call('delete', `/v1/invoices/uploads/${half.id}`, { auth: other.key })).status).toBe(204);
    const retried = await parsed(other.key, [header, ...rows]);
    expect(retried).toMatchObject({ status: 'parsed', rowsStored: 17 });
    expect(await total(other.key)).toBe('1320.87');
  });

  it('lets one of two files with the same calls in, when both are uploaded at once', async () => {
    const third = await newOrganization(call, ctx, 'Gelijktijdig BV');
    const answers = await Promise.all([uploadRaw(runtime, third.key, [header, ...rows].join('\r\n')), uploadRaw(runtime, third.key, [header.toLowerCase(), ...rows].join('\r\n'))]);
    const done = await Promise.all(answers.map((a) => finished(call, third.key, a.body.id, 30_000)));
    expect(done.map((d) => d.status).sort()).toEqual(['parsed', 'rejected']);
    expect(await total(third.key)).toBe('1320.87');
  });

  it('still takes a file of other calls of the same numbers and month', async () => {
    // The calls with a start time (column 7, Starttijd), each at another second.
    const time = header.split(';').indexOf('Starttijd');
    const later = rows.map((r) => r.split(';')).filter((cells) => /^\d\d:\d\d:\d\d$/.test(cells[time] ?? '')).map((cells) => cells.map((c, i) => (i === time ? `${c.slice(0, 6)}${c.endsWith('59') ? '58' : '59'}` : c)).join(';'));
    expect(later.length).toBeGreaterThan(10);
    const more = await parsed(org.key, [header, ...later]);
    expect(more.status, JSON.stringify(more.errors)).toBe('parsed');
  });
});
