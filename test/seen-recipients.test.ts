// The duplicate check of a batch's recipients (workers/sms/seen-recipients.ts): it starts with a
// small table and grows, so it must keep every number it has seen across growing.
import { describe, expect, it } from 'vitest';
import { SeenRecipients } from '../workers/sms/seen-recipients.js';

describe('SeenRecipients', () => {
  it('answers each number new once, across many growths of its table', () => {
    const seen = new SeenRecipients();
    const numbers = Array.from({ length: 20_000 }, (_, i) => `+316${10_000_000 + i * 7919}`);
    for (const phone of numbers) expect(seen.add(phone, null)).toBe(true);
    for (const phone of numbers) expect(seen.add(phone, null)).toBe(false);
    expect(seen.add('+31612345678', null)).toBe(!numbers.includes('+31612345678'));
  });

  it('keeps e-mail addresses apart from numbers', () => {
    const seen = new SeenRecipients();
    expect(seen.add(null, 'a@example.nl')).toBe(true);
    expect(seen.add(null, 'a@example.nl')).toBe(false);
    expect(seen.add('+31611111111', 'a@example.nl')).toBe(true);
  });
});
