// The array literals of workers/core/pg-array.ts against pg's own serialisation of the same
// arrays, with hostile elements: the text literal byte for byte, and every kind value for
// value once Postgres has read both (the old way, a JS array handed to pg, and ours).
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { epochSecondsArray, integerArray, textArray, timestampArray } from '../workers/core/pg-array.js';
import { createTestContext } from './helpers/context.js';

const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };
const ctx = await createTestContext();

const HOSTILE: readonly (string | null)[] = [
  '',
  ' ',
  'NULL',
  'null',
  null,
  '"',
  '""',
  '\\',
  '\\\\"',
  'a"b\\c',
  '\\"',
  '{}',
  '{a,b}',
  'a,b',
  ',',
  '}',
  '{',
  "it's",
  "''",
  ' leading and trailing ',
  'tab\there',
  'line\nbreak\r\n',
  'é ë ü ß €',
  '😀 emoji',
  'שלום',
  '\u001f',
  '\u007f',
  '\uffff',
  'x'.repeat(5_000),
  '$1',
  'E\'\\x00\'',
];

/** Both ways through Postgres: the arrays as read back, and whether they are the same. */
async function bothWays(cast: string, jsArray: readonly unknown[], literal: string) {
  const { rows } = await sql<{ old: unknown; ours: unknown; same: boolean }>`
    SELECT ${jsArray}::${sql.raw(cast)} AS old, ${literal}::${sql.raw(cast)} AS ours,
           (${jsArray}::${sql.raw(cast)} IS NOT DISTINCT FROM ${literal}::${sql.raw(cast)}) AS same`.execute(ctx.db);
  return rows[0]!;
}

describe('array parameters built by us', () => {
  it('writes a text array byte for byte as pg does', () => {
    expect(textArray(HOSTILE)).toBe(pgUtils.prepareValue(HOSTILE));
    expect(textArray([])).toBe(pgUtils.prepareValue([]));
    expect(textArray([''])).toBe(pgUtils.prepareValue(['']));
    expect(textArray([null, undefined])).toBe(pgUtils.prepareValue([null, undefined]));
    for (const value of HOSTILE) expect(textArray([value])).toBe(pgUtils.prepareValue([value]));
    // The shapes of a window's arrays, each made its own way: all plain, all NULL, mixed.
    const plain = HOSTILE.filter((v): v is string => v !== null && !/[\\"]/.test(v));
    const shapes: (string | null | undefined)[][] = [plain, ['sent', 'sent', 'unknown'], [null], [undefined, null, undefined], Array.from({ length: 200 }, () => null), [...plain, null], [null, ...plain], ['a', undefined, 'b']];
    for (const shape of shapes) expect(textArray(shape)).toBe(pgUtils.prepareValue(shape));
  });

  it('reads back in Postgres as the same text values as pg sends, in order, NULL apart from "NULL"', async () => {
    const { old, ours, same } = await bothWays('text[]', HOSTILE, textArray(HOSTILE));
    expect(same).toBe(true);
    expect(ours).toEqual(old);
    expect(ours).toEqual(HOSTILE);
    const empty = await bothWays('text[]', [], textArray([]));
    expect(empty.same).toBe(true);
    expect(empty.ours).toEqual([]);
  });

  it('is refused by Postgres, as pg\'s is, when a text holds NUL', async () => {
    const withNul = ['ok', 'a\u0000b'];
    await expect(sql`SELECT ${withNul}::text[] AS a`.execute(ctx.db)).rejects.toThrow(/0x00/);
    await expect(sql`SELECT ${textArray(withNul)}::text[] AS a`.execute(ctx.db)).rejects.toThrow(/0x00/);
  });

  it('gives the same bigint and smallint values, and refuses what is not a safe integer', async () => {
    const big = [0, 1, -1, 42, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const bigints = await bothWays('bigint[]', big, integerArray(big));
    expect(bigints.same).toBe(true);
    expect(bigints.ours).toEqual(big.map(String));
    const small = [1, 2, 255, -32768, 32767];
    expect((await bothWays('smallint[]', small, integerArray(small))).same).toBe(true);
    expect((await bothWays('bigint[]', [], integerArray([]))).same).toBe(true);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 53]) expect(() => integerArray([1, bad])).toThrow(RangeError);
    // Out of range for the type: refused by Postgres both ways.
    await expect(sql`SELECT ${[40_000]}::smallint[] AS a`.execute(ctx.db)).rejects.toThrow(/out of range/);
    await expect(sql`SELECT ${integerArray([40_000])}::smallint[] AS a`.execute(ctx.db)).rejects.toThrow(/out of range/);
  });

  it('gives the same instants for timestamps, whatever the process time zone made of pg\'s text', async () => {
    const dates = [new Date(Date.UTC(2026, 11, 5, 16, 40, 0)), null, new Date(0), new Date(Date.UTC(1999, 0, 1, 23, 59, 59, 999)), undefined, new Date(Date.UTC(2030, 5, 30, 12, 0, 0, 1))];
    const { old, ours, same } = await bothWays('timestamptz[]', dates, timestampArray(dates));
    expect(same).toBe(true);
    expect(ours).toEqual(old);
    expect((ours as (Date | null)[]).map((d) => d?.getTime() ?? null)).toEqual(dates.map((d) => d?.getTime() ?? null));
  });

  it('converts an instant the same as the one before it once (a window of receipts with one done date), and still refuses an invalid date', async () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 6, 9, 0, 0) + ms);
    const dates = [at(0), at(0), null, at(0), at(1000), at(1000), undefined, at(0)];
    const toISOString = vi.spyOn(Date.prototype, 'toISOString');
    let literal: string;
    try {
      literal = timestampArray(dates);
      // Each run of equal instants once; a null or undefined does not end a run.
      expect(toISOString).toHaveBeenCalledTimes(3);
    } finally {
      toISOString.mockRestore();
    }
    const { ours, same } = await bothWays('timestamptz[]', dates, literal);
    expect(same).toBe(true);
    expect((ours as (Date | null)[]).map((d) => d?.getTime() ?? null)).toEqual(dates.map((d) => d?.getTime() ?? null));
    expect(() => timestampArray([at(0), new Date(Number.NaN)])).toThrow(RangeError);
    expect(() => timestampArray([new Date(Number.NaN), new Date(Number.NaN)])).toThrow(RangeError);
  });

  it('gives, as Unix seconds read by to_timestamp, the same instants as the timestamptz text, to the millisecond', async () => {
    const dates: (Date | null | undefined)[] = [new Date(Date.UTC(2026, 11, 5, 16, 40, 0)), null, new Date(0), new Date(Date.UTC(1999, 0, 1, 23, 59, 59, 999)), undefined, new Date(-1), new Date(Date.UTC(1969, 6, 20, 20, 17, 40, 1))];
    // Every millisecond of a second, and far dates: each a double Postgres must round to its microsecond.
    for (let ms = 0; ms < 1000; ms++) dates.push(new Date(Date.UTC(2026, 11, 6, 14, 7, 6, ms)), new Date(Date.UTC(2199, 11, 31, 23, 59, 59, ms)));
    const { rows } = await sql<{ b: (Date | null)[] }>`
      SELECT ARRAY(SELECT to_timestamp(x) FROM unnest(${epochSecondsArray(dates)}::float8[]) WITH ORDINALITY AS u(x, i) ORDER BY i) AS b`.execute(ctx.db);
    const { rows: equal } = await sql<{ same: boolean }>`
      SELECT ${timestampArray(dates)}::timestamptz[] IS NOT DISTINCT FROM ARRAY(SELECT to_timestamp(x) FROM unnest(${epochSecondsArray(dates)}::float8[]) WITH ORDINALITY AS u(x, i) ORDER BY i) AS same`.execute(ctx.db);
    expect(equal[0]?.same).toBe(true);
    expect(rows[0]?.b.map((d) => d?.getTime() ?? null)).toEqual(dates.map((d) => d?.getTime() ?? null));
    expect(epochSecondsArray([])).toBe('{}');
    expect(() => epochSecondsArray([new Date(0), new Date(Number.NaN)])).toThrow(RangeError);
  });
});
