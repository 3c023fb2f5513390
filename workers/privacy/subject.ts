// The person of a request in every form their identifiers are stored in: addresses in lower
// case (an IDN domain in punycode and in Unicode), numbers in each format a member, a carrier's file or a form may have used (an access
// export must find them all, and an erasure leave none). Masked numbers (+31 6 ****5678) are
// matched by keyed hash where a table keeps one, never by the mask: a mask fits many people.
import { domainToUnicode } from 'node:url';
import { normaliseAddress } from '../newsletter/address.js';
import { suppressionHash } from '../newsletter/suppression.js';
import { phoneHash } from '../sms/opt-outs.js';
import type { Subject } from './reach.js';

export interface Identifiers {
  readonly email: string | null;
  readonly phone: string | null;
  readonly name: string | null;
}

/** +31612345678 → the same number as E.164, 0031…, 31…, 06…, and spaced or dashed as people write it. */
export function phoneFormats(e164: string): string[] {
  const digits = e164.slice(1);
  const formats = [e164, `00${digits}`, digits];
  if (e164.startsWith('+31')) {
    const national = `0${digits.slice(2)}`;
    formats.push(national, `${national.slice(0, 2)} ${national.slice(2)}`, `${national.slice(0, 2)}-${national.slice(2)}`, `+31 ${national.slice(1, 2)} ${national.slice(2)}`, `+31 (0)${national.slice(1)}`);
  }
  return formats;
}

/**
 * The keyed hash of an identifier (SUPPRESSION_KEY): what the ledger, restrictions and an erased
 * request keep. An address hashes as the newsletter's suppressions and deliveries hold it, so a
 * restriction is checked against those rows by comparing hashes.
 */
export function identifierHash(suppressionKey: string, kind: 'email' | 'phone', value: string): Buffer {
  return kind === 'phone' ? phoneHash(suppressionKey, value) : suppressionHash(suppressionKey, value);
}

/**
 * An address as the newsletter keeps it (lower case, the domain in punycode: normaliseAddress)
 * first, then with its domain in Unicode: other tables keep what was typed, so an IDN address
 * is found in either form. Lower case is what personWhere compares.
 */
export function addressForms(raw: string): string[] {
  const checked = normaliseAddress(raw);
  const ascii = checked.ok ? checked.email : raw.trim().toLowerCase();
  const at = ascii.lastIndexOf('@');
  const unicode = at < 0 ? ascii : `${ascii.slice(0, at)}@${domainToUnicode(ascii.slice(at + 1)) || ascii.slice(at + 1)}`.toLowerCase();
  return [...new Set([ascii, unicode])];
}

export function subjectOf(ids: Identifiers, suppressionKey: string): Subject {
  const emails = ids.email ? addressForms(ids.email) : [];
  const e164 = ids.phone ? [ids.phone] : [];
  const phoneHashes = e164.map((p) => identifierHash(suppressionKey, 'phone', p));
  return {
    emails,
    e164,
    phones: e164.flatMap(phoneFormats),
    phoneHashes,
    // Both forms of an address hash alike (suppressionHash normalises): one hash per address.
    hashes: [...emails.slice(0, 1).map((e) => identifierHash(suppressionKey, 'email', e)), ...phoneHashes],
    name: ids.name,
  };
}
