// HMAC-SHA256 of many short texts under one key (the suppression key: a hash per recipient of
// every batch, per address of every import). The same bytes as createHmac('sha256', key)
// (RFC 2104: SHA-256 of the outer pad and SHA-256 of the inner pad and the text), from the key's
// pads made once per key, in two one-shot hashes over a reused buffer: no Hmac object, key
// preparation or native handle per value (createHmac's own was 3.5 % of the web process's busy
// time under the SMS batch bench, bench/JOURNAL.md, issue 17).
import { hash } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;

interface Pads {
  /** The inner pad, then room for the text. */
  inner: Buffer;
  /** The outer pad, then the inner digest. */
  readonly outer: Buffer;
}

/** A process holds one or two keys (the suppression key, a test's): a key's pads are kept. */
const padsByKey = new Map<string, Pads>();
const KEYS_KEPT = 16;

function padsOf(key: string): Pads {
  const known = padsByKey.get(key);
  if (known) return known;
  let bytes = Buffer.from(key, 'utf8');
  if (bytes.length > BLOCK) bytes = hash('sha256', bytes, 'buffer');
  const inner = Buffer.alloc(BLOCK + 256);
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const k = bytes[i] ?? 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  if (padsByKey.size >= KEYS_KEPT) padsByKey.clear();
  const pads = { inner, outer };
  padsByKey.set(key, pads);
  return pads;
}

/** createHmac('sha256', key).update(text).digest(), text as UTF-8. */
export function keyedHash(key: string, text: string): Buffer {
  const pads = padsOf(key);
  const length = BLOCK + Buffer.byteLength(text, 'utf8');
  if (length > pads.inner.length) {
    const larger = Buffer.alloc(Math.max(length, 2 * pads.inner.length));
    pads.inner.copy(larger, 0, 0, BLOCK);
    pads.inner = larger;
  }
  pads.inner.write(text, BLOCK, 'utf8');
  // Synchronous: nothing else writes the buffers between the write and the hashes.
  hash('sha256', pads.inner.subarray(0, length), 'buffer').copy(pads.outer, BLOCK);
  return hash('sha256', pads.outer, 'buffer');
}
