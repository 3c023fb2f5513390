// Passwords (P9 in ARCHITECTURE.md): scrypt, memory-hard (N=2^15, r=8: 32 MiB per hash), from
// node's crypto so no native addon is needed; stored as scrypt$N$r$p$salt$hash.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * options.N! * options.r! }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash to verify against when the user does not exist, so both paths take as long. Made on
 * first use: processes that never check a password (workers, the scheduler) skip the 32 MiB hash.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

let common: Promise<ReadonlySet<string>> | undefined;
/**
 * The 49,000 common passwords of @zxcvbn-ts/language-common, loaded by the first password set:
 * its dictionaries (some 12 MB of RSS) are not held by every web process from its start (issue 16).
 */
const commonPasswords = (): Promise<ReadonlySet<string>> =>
  (common ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))));

/** Why a new password is refused, or undefined when it is acceptable. */
export async function passwordProblem(password: string, username?: string): Promise<string | undefined> {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if ((await commonPasswords()).has(lower)) return 'is on a list of common passwords';
  if (new Set(lower).size < 4) return 'repeats too few characters';
  if (username && lower.includes(username.toLowerCase())) return 'must not contain the username';
  return undefined;
}
