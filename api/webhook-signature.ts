// Signed webhooks: `X-Signature: sha256=<hex HMAC-SHA256 of the raw body under a shared secret>`,
// compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureOf(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** False for a missing or wrong signature, and always when no secret is configured. */
export function validSignature(secret: string | undefined, header: string | undefined, raw: Buffer): boolean {
  if (!secret || !header) return false;
  const expected = Buffer.from(signatureOf(secret, raw));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
