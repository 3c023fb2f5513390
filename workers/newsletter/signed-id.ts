// An id with an HMAC of it under SECRET_KEY, bound to a purpose, for links and addresses that
// must not be guessable (confirmation and unsubscribe links, VERP return paths).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedPurpose = 'newsletter-confirm' | 'newsletter-unsubscribe' | 'newsletter-verp';

/**
 * SECRET_KEY, or it and the former keys (SECRET_KEY_PREVIOUS) after a rotation: the first signs,
 * each verifies, so the links in mail sent before a rotation (an unsubscribe link, P12) still work.
 */
export type Keyring = string | readonly string[];

export const signingKey = (keys: Keyring): string => (typeof keys === 'string' ? keys : (keys[0] ?? ''));
export const keysOf = (keys: Keyring): readonly string[] => (typeof keys === 'string' ? [keys] : keys);

export function macOf(secretKey: string, purpose: SignedPurpose, id: string): Buffer {
  return createHmac('sha256', secretKey).update(`${purpose}:${id}`).digest();
}

/** True when `given` is the MAC of the id under one of the keys (cut to the given length, at least 8 bytes). */
export function macMatches(keys: Keyring, purpose: SignedPurpose, id: string, given: Buffer): boolean {
  return given.length >= 8 && keysOf(keys).some((key) => timingSafeEqual(given, macOf(key, purpose, id).subarray(0, given.length)));
}

/** `<id>.<mac>`, the MAC in base64url. */
export function signId(secretKey: string, purpose: SignedPurpose, id: string): string {
  return `${id}.${macOf(secretKey, purpose, id).toString('base64url')}`;
}

/** The id of a token made by signId when its MAC is ours and the id has the expected shape. */
export function signedIdOf(keys: Keyring, purpose: SignedPurpose, token: string, shape: RegExp): string | undefined {
  const [id = '', mac = '', ...rest] = token.split('.');
  if (rest.length > 0 || !shape.test(id)) return undefined;
  const given = Buffer.from(mac, 'base64url');
  return given.length === 32 && macMatches(keys, purpose, id, given) ? id : undefined;
}
