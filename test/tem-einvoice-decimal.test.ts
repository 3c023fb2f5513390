// The exact decimals of the e-invoice checks (issue 13): the running line sum kept while an
// invoice streams gives what summing every amount at once gives, at the widest scale seen.
import { describe, expect, it } from 'vitest';
import { RunningSum, sum } from '../workers/tem/einvoice/decimal.js';

const running = (values: readonly string[]) => {
  const total = new RunningSum();
  for (const value of values) total.add(value);
  return total.value;
};

describe('RunningSum', () => {
  it('is exact across scales and signs', () => {
    expect(running([])).toBe('0');
    expect(running(['1.5', '-0.25', '3'])).toBe('4.25');
    expect(running(['0.1', '0.2'])).toBe('0.3');
    expect(running(['-625743.54'])).toBe('-625743.54');
    expect(running(['10', '+0.0001', '-10.0001'])).toBe('0.0000');
    expect(running(['99999999999999999999.99', '0.01'])).toBe('100000000000000000000.00');
  });

  it('equals sum() of the same amounts, whatever their order of scales', () => {
    // Deterministic amounts of 0 to 4 decimals, both signs: no float anywhere.
    const values = Array.from({ length: 2_000 }, (_, i) => {
      const scale = (i * 7) % 5;
      const digits = String((i * 7919) % 1_000_003).padStart(scale + 1, '0');
      const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      return i % 3 === 0 ? `-${text}` : text;
    });
    expect(running(values)).toBe(sum(values));
    expect(running(values.toReversed())).toBe(sum(values));
  });

  it('refuses what is not a decimal', () => {
    expect(() => new RunningSum().add('1e3')).toThrow(/not a decimal/);
  });
});
