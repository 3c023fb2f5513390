// The signed link in a confirmation mail: the sign-up's id and an HMAC of it under SECRET_KEY,
// so nobody confirms a sign-up by guessing ids.
import { signId, signedIdOf, type Keyring } from './signed-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function signupToken(secretKey: string, signupId: string): string {
  return signId(secretKey, 'newsletter-confirm', signupId);
}

/** The sign-up's id when the token is one we signed; undefined otherwise. */
export function signupIdOf(keys: Keyring, token: string): string | undefined {
  return signedIdOf(keys, 'newsletter-confirm', token, UUID);
}
