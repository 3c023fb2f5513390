// normalizePhone's fast path (workers/phone/fast-e164.ts) against libphonenumber-js, kept as the
// reference (normalizePhoneWithLibrary): hand-made edge cases (trunk "(0)", 0031, white space,
// too short and too long, Dutch service numbers, foreign and non-geographic numbers, letters,
// Unicode digits, empty) and 200,000 seeded random inputs, built from the shapes batches carry
// and from pieces that trip a parser. Every field must be the same, a missing type included.
import examples from 'libphonenumber-js/examples.mobile.json';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { cleanPhoneInput, normalizePhone, normalizePhoneWithLibrary, type PhoneResult } from '../workers/phone/e164.js';
import { fastPhone } from '../workers/phone/fast-e164.js';
import { seededRandom } from './helpers/seeded-random.js';

const fields = (r: PhoneResult): unknown[] => (r.ok ? [true, r.e164, 'type' in r, r.type, r.countryCallingCode] : [false, Object.keys(r).length]);

const EDGE_CASES = [
  '0612345678', '+31612345678', '0031612345678', '31612345678', '+31 (0)6 1234 5678', '0031 (0)6 12345678', '+31(0)612345678',
  '06-12345678', '06 12 34 56 78', '06 - 1234 - 5678', ' 0612345678 ', '\t+31612345678\n', '\u00a00612345678\u3000', '06\u00a012345678',
  '+310612345678', '310612345678', '00310612345678', '0 031612345678', '0-0316-12345678', '3106', '316', '31', '+31', '+316', '0031',
  '06123', '061234567', '061234567890', '0612345678901234567890', '+3161234567890123456', '+31 6', '06', '6', '0',
  '0800 1234', '0800-1234567', '08001234567890', '0900 1234', '0900-1234567', '0906 123 4567', '0909-1234567', '0851234567', '0881234567',
  '0841234567', '0871234567', '0970 1234 5678', '097012345678', '09701234567', '0661234567', '0201234567', '020 123 4567', '010-1234567',
  '14020', '140201', '1401', '0911234567', '09123456789', '+31 97 0123 45678',
  '+32 470 12 34 56', '+49 1512 3456789', '+49 30 123456', '+33 6 12 34 56 78', '+352 621 123 456', '+44 7911 123456', '+44 7624 123456',
  '+1 201 555 0123', '+1 800 555 0123', '+7 912 345 6789', '+54 9 11 1234 5678', '+52 1 55 1234 5678', '+55 11 91234 5678', '+800 1234 5678',
  '+882 1234 5678', '+979 123456789', '+290 22158', '+262 269 61 23 45', '+599 9 123 4567', '+0612345678', '+00', '0044 7911 123456',
  '00 44 7911 123456', '000612345678', '001 201 555 0123',
  '', ' ', '+', '++31612345678', '+ 31612345678', '+31-6-12345678', 'abc', '06abc12345678', '06-1234567x', '0612345678 ext 12',
  '0612345678#', '06.12.34.56.78', '06/12345678', '(06) 12345678', 'tel:+31612345678', '+31612345678;ext=1', '0612345678,,1',
  '\u0660\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668', '\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18',
  '+\u0663\u0661612345678', '\ud835\udfd8\ud835\udfde12345678', '06\u201112345678', '06\u200b12345678', '\ufeff0612345678',
  '1'.repeat(64), '0'.repeat(65), `06 ${'- '.repeat(40)}12345678`, '06-', '-0612345678',
];

const PREFIXES = [
  '', '', '0', '06', '06', '06', '6', '+316', '+316', '00316', '316', '316', '+31', '0031', '31', '+31 (0)', '0031 (0)', '+31(0)', '+310', '3106',
  '0800', '0900', '0906', '0909', '085', '088', '091', '097', '0970', '066', '084', '087', '020', '010', '014', '140', '+32', '+49', '+44', '+1',
  '+7', '+33', '+352', '+800', '+882', '+979', '+54', '+52', '+55', '+290', '+599', '+262', '+0', '00', '000', '+', '++31', 'tel:', '(0)',
  '0031-6-', '\u0660\u0666', '\uff10\uff16', '0044', '001', '0032 ',
];
const SEPARATORS = ['', '', '', '', ' ', ' ', '-', '  ', ' - ', '.', '/', '\u00a0', '\t'];
const PIECES = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '06', '31', '00', '12345', '678', ' ', ' ', '-', '.', '/', '(', ')', '(0)', '+', 'x', 'ext',
  '#', ';', ',', 'a', 'Z', '\u00a0', '\t', '\u2003', '\u0663', '\uff10', '\ud835\udfd8', 'tel:', ';phone-context=', '*', '~', '\u2011',
];
// Not ";phone-context=+31": libphonenumber-js 1.13 answers such an input differently on every
// other call (a global RegExp's lastIndex in helpers/extractPhoneContext.js), so it is no
// reference; the fast path never takes it (letters and ";").
const WRAPPERS = ['', '', '', '', ' ', '  ', '\t', '\n', '\u00a0', '\u3000'];

// Every country's example mobile number, as +<calling code> and the national number: changed a
// little, they reach each country's trunk prefix, lengths and types where its numbers really are.
const EXAMPLES = Object.entries(examples).map(([country, national]) => [getCountryCallingCode(country as CountryCode), national] as const);
const TRUNKS = ['', '', '0', '0', '8', '1', '06', '80', '00', '01', '9'];

function exampleInput(random: () => number, pick: <T>(list: readonly T[]) => T): string {
  const [callingCode, national] = pick(EXAMPLES);
  let digits = national;
  const change = random();
  if (change < 0.2) digits = digits.slice(0, -1 - Math.floor(random() * 3));
  else if (change < 0.4) digits += String(Math.floor(random() * 1000)).slice(0, 1 + Math.floor(random() * 3));
  else if (change < 0.6) digits = String(Math.floor(random() * 10)) + digits.slice(1);
  const prefix = pick(['+', '+', '00', '', `${pick(SEPARATORS)}`]);
  return prefix + callingCode + pick(SEPARATORS) + pick(TRUNKS) + digits;
}

function randomInput(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let out = '';
  const mode = random();
  if (mode < 0.3) {
    out = exampleInput(random, pick);
  } else if (mode < 0.75) {
    const prefix = random() < 0.1 ? `+${Math.floor(random() * 1000)}` : pick(PREFIXES);
    out = prefix + (random() < 0.5 ? pick(SEPARATORS) : '');
    const length = Math.floor(random() * 14);
    const separator = pick(SEPARATORS);
    for (let i = 0; i < length; i++) out += (i > 0 && random() < 0.3 ? separator : '') + String(Math.floor(random() * 10));
  } else {
    const length = Math.floor(random() * 12);
    for (let i = 0; i < length; i++) out += pick(PIECES);
  }
  return pick(WRAPPERS) + out + pick(WRAPPERS);
}

describe('phone numbers on the fast path', () => {
  it('gives what libphonenumber gives for the edge cases', () => {
    for (const input of EDGE_CASES) expect([input, fields(normalizePhone(input))]).toEqual([input, fields(normalizePhoneWithLibrary(input))]);
  });

  it('gives what libphonenumber gives for 200,000 seeded random inputs', () => {
    const random = seededRandom(1617);
    let differing = 0;
    let fast = 0;
    const firstDifferences: string[] = [];
    const kinds = new Set<string>();
    for (let n = 0; n < 200_000; n++) {
      const input = randomInput(random);
      // normalizePhone is fastPhone ?? the library: where fastPhone declines, it is the reference.
      const ours = fastPhone(cleanPhoneInput(input));
      if (ours === undefined) continue;
      fast += 1;
      kinds.add(ours.ok ? `${ours.countryCallingCode === '31' ? 'NL' : 'other'} ${String(ours.type)}` : 'invalid');
      const theirs = normalizePhoneWithLibrary(input);
      if (JSON.stringify(fields(ours)) !== JSON.stringify(fields(theirs))) {
        differing += 1;
        if (firstDifferences.length < 5) firstDifferences.push(JSON.stringify({ input, ours, theirs }));
      }
    }
    expect(firstDifferences).toEqual([]);
    expect(differing).toBe(0);
    // A quarter or more took the fast path, and they reached every answer a batch tells apart.
    expect(fast).toBeGreaterThan(50_000);
    for (const kind of ['invalid', 'NL MOBILE', 'NL FIXED_LINE', 'NL TOLL_FREE', 'NL PREMIUM_RATE', 'NL VOIP', 'NL UAN', 'other MOBILE', 'other FIXED_LINE']) {
      expect(kinds).toContain(kind);
    }
  });

  it('takes the fast path for the numbers batches are made of', () => {
    for (const input of ['0612345678', '+31612345678', '0031612345678', '31612345678', '+31 (0)6 1234 5678', '06-1234 5678', ' 06 12 34 56 78 ', '0201234567', '+32470123456']) {
      expect([input, fastPhone(cleanPhoneInput(input))]).toEqual([input, normalizePhoneWithLibrary(input)]);
    }
    // The library's: Unicode digits, letters, shared and non-geographic calling codes.
    for (const input of ['\u0660\u0666\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668', 'tel:+31612345678', '+12015550123', '+447911123456', '+80012345678']) {
      expect([input, fastPhone(cleanPhoneInput(input))]).toEqual([input, undefined]);
    }
  });
});
