// The price table (workers/sms/pricing.ts): the longest prefix wins, else the default, in
// ten-thousandths of a euro. A table is compiled once and reused for the same table object: a
// small JSON batch priced it anew for each batch of a group (bench/JOURNAL.md, issue 17).
import { describe, expect, it } from 'vitest';
import { compilePrices, fromUnits } from '../workers/sms/pricing.js';

describe('compilePrices', () => {
  it('prices by the longest matching prefix, else the default', () => {
    const priceOf = compilePrices(Object.freeze({ default: '0.1', '+31': '0.07', '+316': '0.065', '+3197': '0.0125' }));
    expect(['+31612345678', '+31201234567', '+31970123456', '+32470123456'].map((n) => fromUnits(priceOf(n)))).toEqual(['0.0650', '0.0700', '0.0125', '0.1000']);
    expect(fromUnits(compilePrices({})('+31612345678'))).toBe('0.0000');
    expect(() => compilePrices({ '+31': '0.07.1' })).toThrow(/not a decimal/);
  });

  it('compiles a table once: the same table object gets the same function, another table its own (old code: a new one each call)', () => {
    const table = Object.freeze({ default: '0.08', '+31': '0.07' });
    expect(compilePrices(table)).toBe(compilePrices(table));
    const other = compilePrices(Object.freeze({ default: '0.09' }));
    expect(other).not.toBe(compilePrices(table));
    expect(fromUnits(other('+31612345678'))).toBe('0.0900');
  });
});
