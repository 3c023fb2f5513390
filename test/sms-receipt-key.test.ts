// receiptKey gives an id that already is its key back as it is (no new string on the send
// path); every other id is trimmed, lower-cased and stripped of leading zeros, as before.
import { describe, expect, it } from 'vitest';
import { idForms, receiptKey } from '../workers/sms/smpp/message-ids.js';

const slowKey = (raw: string) => raw.trim().toLowerCase().replace(/^0+(?=.)/, '');

describe('receiptKey', () => {
  it.each([
    ['1a2b3c', '1a2b3c'],
    ['1A2B3C', '1a2b3c'],
    ['000123', '123'],
    ['0', '0'],
    ['000', '0'],
    [' 0abc\t', 'abc'],
    ['\u00a0abc', 'abc'],
    ['ab-12', 'ab-12'],
    ['', ''],
  ])('reads %j as %j', (raw, key) => {
    expect(receiptKey(raw)).toBe(key);
  });

  it('agrees with the full normalisation for ids of every shape', () => {
    const alphabet = ['0', '1', '9', 'a', 'z', 'A', 'Z', ' ', '-', '\t', 'é'];
    for (let n = 0; n < 2_000; n++) {
      let id = '';
      for (let k = n; k > 0; k = Math.floor(k / alphabet.length)) id += alphabet[k % alphabet.length];
      expect(receiptKey(id)).toBe(slowKey(id));
      expect(idForms(id)).toContain(slowKey(id));
    }
  });
});
