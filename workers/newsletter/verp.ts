// VERP return paths (issue 14): each campaign mail goes out with the envelope sender
// `bounces+<deliveryId>.<tag>@<BOUNCE_DOMAIN>`, so a bounce that comes back as mail names the
// delivery it is about. The tag is a truncated HMAC under SECRET_KEY in lower-case hex (relays
// may fold the case of a local part): a forged bounce cannot name someone else's delivery.
import { macMatches, macOf, signingKey, type Keyring } from './signed-id.js';

const TAG_BYTES = 10;
const VERP = /^bounces\+(\d{1,15})\.([0-9a-f]{20})@(.+)$/i;

export interface VerpSettings {
  /** Signs with the first key, takes a tag of any (SECRET_KEY_PREVIOUS: bounces of mail sent before a rotation). */
  readonly secretKey: Keyring;
  readonly bounceDomain: string;
}

export function verpReturnPath(settings: VerpSettings, deliveryId: number | string): string {
  const tag = macOf(signingKey(settings.secretKey), 'newsletter-verp', String(deliveryId)).subarray(0, TAG_BYTES).toString('hex');
  return `bounces+${deliveryId}.${tag}@${settings.bounceDomain}`;
}

/** The delivery id a VERP address names, when its tag is ours; null for anything else. */
export function parseVerp(settings: VerpSettings, address: string): number | null {
  const match = VERP.exec(address.trim().replace(/^<|>$/g, ''));
  if (!match) return null;
  const [, id = '', tag = '', domain = ''] = match;
  if (domain.toLowerCase() !== settings.bounceDomain.toLowerCase()) return null;
  if (!macMatches(settings.secretKey, 'newsletter-verp', id, Buffer.from(tag.toLowerCase(), 'hex'))) return null;
  return Number(id);
}
