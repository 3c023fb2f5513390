// The parse's own sums for the cost report's rollup (workers/tem/amount-sum.ts, call-rollup.ts)
// against Postgres: amounts rounded and summed as numeric(16, 4) stores and sums them, past the
// float's exact integers; local times ordered as Postgres reads them in Amsterdam, the hour
// skipped in March included.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AmountSum } from '../workers/tem/amount-sum.js';
import { instantOrder } from '../workers/tem/call-rollup.js';
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
