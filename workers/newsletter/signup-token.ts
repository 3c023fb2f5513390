// The signed link in a confirmation mail: the sign-up's id and an HMAC of it under SECRET_KEY,
// so nobody confirms a sign-up by guessing ids.
import { createHmac, timingSafeEqual } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const macOf = (secretKey: string, signupId: string) => createHmac('sha256', secretKey).update(`newsletter-confirm:${signupId}`).digest();

export function signupToken(secretKey: string, signupId: string): string {
  return `${signupId}.${macOf(secretKey, signupId).toString('base64url')}`;
}

/** The sign-up's id when the token is one we signed; undefined otherwise. */
export function signupIdOf(secretKey: string, token: string): string | undefined {
  const [id = '', mac = '', ...rest] = token.split('.');
  if (rest.length > 0 || !UUID.test(id)) return undefined;
  const given = Buffer.from(mac, 'base64url');
  const expected = macOf(secretKey, id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
