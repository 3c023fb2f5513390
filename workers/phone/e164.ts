// Phone numbers in E.164 with libphonenumber-js (the metadata build that knows number types),
// Dutch by default: 0612345678, +31612345678, 0031612345678 and +31 (0)6 1234 5678 are one number.
// The numbers batches are made of take a fast path with the library's own metadata
// (fast-e164.ts, the same answers); everything else is parsed by the library.
import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { fastPhone } from './fast-e164.js';

export type PhoneResult = { ok: true; e164: string; type: NumberType | undefined; countryCallingCode: string } | { ok: false };

/** "+31 (0)6..." writes the trunk prefix after the country code; drop it, and read 00 as +. */
export const cleanPhoneInput = (input: string): string => input.trim().replace(/^(\+|00)(\d{1,3})\s*\(0\)/, '+$2').replace(/^00/, '+');

function parseWithLibrary(cleaned: string): PhoneResult {
  const parsed = parsePhoneNumberFromString(cleaned, 'NL');
  if (!parsed) return { ok: false };
  // isValid() is getType() !== undefined wherever the metadata has types (it has them in the
  // max build), so a typed number is valid: one type lookup (several regular expressions)
  // instead of two for nearly every number of a batch.
  const type = parsed.getType();
  if (type === undefined && !parsed.isValid()) return { ok: false };
  return { ok: true, e164: parsed.number, type, countryCallingCode: parsed.countryCallingCode };
}

// RFC 3966's ";phone-context=" is no way to write a recipient, and libphonenumber-js 1.13 reads
// it differently on every other call (a global RegExp's lastIndex): refused, so an answer never
// depends on the number before it.
const PHONE_CONTEXT = /;\s*phone-context\s*=/i;

export function normalizePhone(input: string): PhoneResult {
  const cleaned = cleanPhoneInput(input);
  if (PHONE_CONTEXT.test(cleaned)) return { ok: false };
  return fastPhone(cleaned) ?? parseWithLibrary(cleaned);
}

/** normalizePhone with libphonenumber for every input: the reference the fast path is held to. */
export function normalizePhoneWithLibrary(input: string): PhoneResult {
  return parseWithLibrary(cleanPhoneInput(input));
}
