// The number an incoming SMS came from, as an SMSC or gateway writes it, in E.164: read with its
// type of number (SMPP source_addr_ton) and the Dutch default. One function for SMPP and the
// HTTP hook. TON 1 international (31612345678, with or without +); TON 2 national, Dutch
// (0612345678); TON 0 unknown: a leading + or 00 is international, a leading 0 national (NL),
// bare digits international. Alphanumeric (TON 5) and anything else is no number.
import { normalizePhone, type PhoneResult } from './e164.js';

export const TON_UNKNOWN = 0;
export const TON_INTERNATIONAL = 1;
export const TON_NATIONAL = 2;

export function senderNumber(address: string, ton: number = TON_UNKNOWN): PhoneResult {
  const raw = address.replace(/[\s().-]/g, '');
  if (!/^\+?\d{3,20}$/.test(raw)) return { ok: false };
  const digits = raw.replace(/^\+/, '');
  switch (ton) {
    case TON_INTERNATIONAL:
      return normalizePhone(`+${digits.replace(/^00/, '')}`);
    case TON_NATIONAL:
      // National means Dutch here: with or without the trunk 0.
      return normalizePhone(digits.startsWith('0') ? digits : `0${digits}`);
    case TON_UNKNOWN:
      if (raw.startsWith('+') || digits.startsWith('00')) return normalizePhone(`+${digits.replace(/^00/, '')}`);
      return normalizePhone(digits.startsWith('0') ? digits : `+${digits}`);
    default:
      return { ok: false };
  }
}
