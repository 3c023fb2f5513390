// Signed webhooks: `X-Signature: sha256=<hex HMAC-SHA256 of "<t>.<raw body>">` under a shared
// secret, with `X-Signature-Timestamp: <t>` (unix seconds), the HMAC our own callbacks carry
// (workers/sms/callbacks.ts). Compared in constant time; a timestamp more than five minutes
// from now is refused, so a captured request cannot be replayed later.
import { timingSafeEqual } from 'node:crypto';
import { timestampedHmac } from '../workers/sms/callbacks.js';

export const SIGNATURE_TOLERANCE_S = 300;

export function signatureOf(secret: string, at: number, raw: Buffer | string): string {
  return `sha256=${timestampedHmac(secret, at, raw)}`;
}

/** The timestamp header as unix seconds, when it is one within SIGNATURE_TOLERANCE_S of now. */
export function freshTimestamp(header: string | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value || !/^\d{1,12}$/.test(value)) return undefined;
  const at = Number(value);
  return Math.abs(now / 1000 - at) <= SIGNATURE_TOLERANCE_S ? at : undefined;
}

/** False for a missing or wrong signature, and always when no secret is configured. */
export function validSignature(secret: string | undefined, header: string | undefined, at: number, raw: Buffer): boolean {
  if (!secret || !header) return false;
  const expected = Buffer.from(signatureOf(secret, at, raw));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
