// Signed links of privacy requests: the request's id, an expiry and an HMAC of both and the
// link's purpose under SECRET_KEY, so a link cannot be forged, stretched or used for another
// purpose. Whether it was used already is the request's state, checked where it is used.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { keysOf, type Keyring } from '../newsletter/signed-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export type LinkPurpose = 'privacy-verify' | 'privacy-export' | 'privacy-status';

const macOf = (secretKey: string, purpose: LinkPurpose, id: string, expires: number) => createHmac('sha256', secretKey).update(`${purpose}:${id}:${expires}`).digest();

export function signLink(secretKey: string, purpose: LinkPurpose, id: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${id}.${expires}.${macOf(secretKey, purpose, id, expires).toString('base64url')}`;
}

/** The id when the token is ours, for this purpose, and not expired; undefined otherwise. */
export function verifyLink(keys: Keyring, purpose: LinkPurpose, token: string, now = new Date()): string | undefined {
  const [id = '', exp = '', mac = '', ...rest] = token.split('.');
  if (rest.length > 0 || !UUID.test(id) || !/^\d{1,12}$/.test(exp)) return undefined;
  const expires = Number(exp);
  const given = Buffer.from(mac, 'base64url');
  const matches = (key: string) => {
    const expected = macOf(key, purpose, id, expires);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!keysOf(keys).some(matches)) return undefined;
  return expires * 1000 > now.getTime() ? id : undefined;
}
