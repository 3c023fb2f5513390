// The keyed hashes of numbers and addresses (opt-outs, suppressions, privacy restrictions) are
// HMAC-SHA256 under the suppression key, made from the key's pads computed once
// (workers/core/keyed-hash.ts) instead of an Hmac object per value: the same bytes, for any
// key length and any text, keys interleaved, texts longer than the reused buffer.
import type * as nodeCrypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

const made = vi.hoisted(() => ({ hmacs: 0 }));
vi.mock('node:crypto', async (original) => {
  const crypto = await original<typeof nodeCrypto>();
  return {
    ...crypto,
    createHmac: (...args: Parameters<typeof crypto.createHmac>) => {
      made.hmacs += 1;
      return crypto.createHmac(...args);
    },
  };
});

const { keyedHash } = await import('../workers/core/keyed-hash.js');
const { phoneHash } = await import('../workers/sms/opt-outs.js');
const { suppressionHash } = await import('../workers/newsletter/suppression.js');

const KEYS = ['', 'k', 'test-suppression-key', 'x'.repeat(64), 'y'.repeat(65), 'sleutel-é-ß-€'.repeat(9)];
const TEXTS = ['', 'phone:+31612345678', 'email:jan@example.nl', 'email:grüße@bücher.example', 'a'.repeat(255), 'b'.repeat(256), 'c'.repeat(5000), '€'.repeat(300)];

describe('keyedHash', () => {
  it('answers what createHmac answers, keys interleaved and texts past its buffer', () => {
    for (let round = 0; round < 2; round++) {
      for (const text of TEXTS) {
        for (const key of KEYS) expect(keyedHash(key, text).toString('hex')).toBe(createHmac('sha256', key).update(text, 'utf8').digest('hex'));
      }
    }
    // After a long text the short ones still hash only their own bytes.
    expect(keyedHash('k', 'short')).toEqual(createHmac('sha256', 'k').update('short').digest());
  });

  it('makes no Hmac object per number or address (old code: one per value)', () => {
    made.hmacs = 0;
    const phone = phoneHash('test-suppression-key', '+31612345678');
    const address = suppressionHash('test-suppression-key', 'Jan@Example.NL');
    expect(made.hmacs).toBe(0);
    expect(phone).toEqual(createHmac('sha256', 'test-suppression-key').update('phone:+31612345678').digest());
    expect(address).toEqual(createHmac('sha256', 'test-suppression-key').update('email:jan@example.nl').digest());
  });
});
