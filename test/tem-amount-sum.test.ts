// The parse's own sums for the cost report's rollup (workers/tem/amount-sum.ts, call-rollup.ts)
// against Postgres: amounts rounded and summed as numeric(16, 4) stores and sums them, past the
// float's exact integers; local times ordered as Postgres reads them in Amsterdam, the hour
// skipped in March included.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AmountSum } from '../workers/tem/amount-sum.js';
import { instantOrder } from '../workers/tem/call-rollup.js';
import { parseDateTime, zonedLocal } from '../workers/tem/values.js';
import { createTestContext } from './helpers/context.js';

const ctx = await createTestContext();

const summed = (values: readonly string[]) => {
  const total = new AmountSum();
  for (const value of values) total.add(value);
  return total.text();
};

async function postgresSum(values: readonly string[]): Promise<string> {
  const { rows } = await sql<{ total: string }>`SELECT coalesce(sum(v::numeric(16, 4)), 0.0000)::text AS total FROM unnest(${values}::text[]) v`.execute(ctx.db);
  return rows[0]!.total;
}

describe('AmountSum', () => {
  it('rounds and sums as numeric(16, 4) does', async () => {
    const cases = [
      ['0.1', '0.2'],
      ['0.00005', '0.00005', '0.000049', '-0.00005', '-0.000049'],
      ['999999999999.9999', '999999999999.9999', '999999999999.9999', '-0.0001'],
      ['-12.34567', '12', '0.99995', '-0'],
      Array.from({ length: 3_000 }, (_, i) => `${i % 2 ? '-' : ''}${(i * 7919) % 1_000_003}.${String((i * 104729) % 1_000_000).padStart(6, '0')}`),
      Array.from({ length: 2_000 }, () => '4503599627.3705'), // 2^52 ten-thousandths, crossed many times
    ];
    for (const values of cases) expect(summed(values), values.slice(0, 3).join(' ')).toBe(await postgresSum(values));
    expect(summed([])).toBe('0.0000');
  });
});

describe('instantOrder', () => {
  it('orders local times as Postgres reads them in Amsterdam', async () => {
    const times = [
      '2027-03-28 01:59:59', '2027-03-28 02:00:00', '2027-03-28 02:30:00', '2027-03-28 03:00:00', '2027-03-28 03:15:00', '2027-03-28 03:45:00', // the hour skipped
      '2027-03-21 02:30:00', '2027-03-21 03:15:00', // a Sunday before: no gap
      '2026-10-25 01:59:59', '2026-10-25 02:30:00', '2026-10-25 02:59:59', '2026-10-25 03:00:00', // the hour repeated
      '2026-03-29 02:10:00', '2026-03-29 03:05:00',
    ];
    const { rows } = await sql<{ local: string; instant: string }>`
      SELECT t AS local, extract(epoch FROM (t::timestamp AT TIME ZONE 'Europe/Amsterdam'))::text AS instant FROM unnest(${times}::text[]) t`.execute(ctx.db);
    for (const a of rows) {
      for (const b of rows) {
        const byPostgres = Math.sign(Number(a.instant) - Number(b.instant));
        const [ka, kb] = [instantOrder(a.local), instantOrder(b.local)];
        const byKey = ka < kb ? -1 : ka > kb ? 1 : 0;
        if (byPostgres !== 0) expect(byKey, `${a.local} against ${b.local}`).toBe(byPostgres);
      }
    }
  });
});

/** The instants (epoch seconds) Postgres reads the texts as, under TimeZone Europe/Amsterdam as the parse's COPY does. */
const instantsOf = (texts: readonly string[]) =>
  ctx.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL TimeZone = 'Europe/Amsterdam'`.execute(trx);
    const { rows } = await sql<{ instant: string }>`SELECT extract(epoch FROM t::timestamptz)::text AS instant FROM unnest(${texts}::text[]) WITH ORDINALITY AS i(t, n) ORDER BY n`.execute(trx);
    return rows.map((r) => Number(r.instant));
  });

describe('a zoned call time in the hour the clocks go back (last Sunday of October)', () => {
  const zoned = ['2026-10-25T00:30Z', '2026-10-25T01:30Z', '2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00+01:00', '2026-10-25T00:59:59Z', '2026-10-25T01:00:00Z', '2026-10-25T02:10 CEST', '2026-10-25T02:10 CET'];

  it('is stored as the instant it names, not an hour off', async () => {
    const texts = zoned.map((t) => parseDateTime(t));
    expect(texts.every((t) => t !== null)).toBe(true);
    const expected = zoned.map((t) => Date.parse(t.replace(' CEST', '+02:00').replace(' CET', '+01:00')) / 1000);
    expect(await instantsOf(texts as string[])).toEqual(expected);
    // The same from a separate date and time column.
    expect(await instantsOf([zonedLocal('2026-10-25', '00:30Z')!, zonedLocal('2026-10-25', '01:30Z')!])).toEqual([Date.parse('2026-10-25T00:30Z') / 1000, Date.parse('2026-10-25T01:30Z') / 1000]);
    // Its Amsterdam wall-clock time (the month, the upload's window) is the text's start.
    expect(texts.slice(0, 2).map((t) => t?.slice(0, 19))).toEqual(['2026-10-25 02:30:00', '2026-10-25 02:30:00']);
  });

  it('orders with local times as Postgres reads them (instantOrder)', async () => {
    const texts = [...zoned.map((t) => parseDateTime(t) ?? ''), '2026-10-25 01:59:59', '2026-10-25 02:30:00', '2026-10-25 03:00:00', '2026-10-25 02:00:00', '2026-07-01 12:00:00', parseDateTime('2026-07-01T10:00:01Z') ?? ''];
    const instants = await instantsOf(texts);
    texts.forEach((a, i) =>
      texts.forEach((b, j) => {
        const byPostgres = Math.sign((instants[i] ?? 0) - (instants[j] ?? 0));
        const [ka, kb] = [instantOrder(a), instantOrder(b)];
        if (byPostgres !== 0) expect(ka < kb ? -1 : 1, `${a} against ${b}`).toBe(byPostgres);
      }),
    );
  });
});
