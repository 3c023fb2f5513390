// normalizePhone asks libphonenumber-js for a number's type once (issue 16: the type lookup was
// the largest part of validating a batch, and it ran twice a number). Its answers must stay
// those of the two calls it replaced, isValid() then getType(), for every kind of input.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { expect, it } from 'vitest';
import { normalizePhone, type PhoneResult } from '../workers/phone/e164.js';

/** normalizePhone as it was: isValid(), then getType(). */
function before(input: string): PhoneResult {
  const cleaned = input.trim().replace(/^(\+|00)(\d{1,3})\s*\(0\)/, '+$2').replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(cleaned, 'NL');
  if (!parsed?.isValid()) return { ok: false };
  return { ok: true, e164: parsed.number, type: parsed.getType(), countryCallingCode: parsed.countryCallingCode };
}

// Dutch mobile, fixed, service and short; foreign mobiles and fixed lines, shared calling codes
// (+1, +7, +44), non-geographic (+800, +882), a country with few types; formatting and junk.
const PREFIXES = [
  '06', '+316', '00316', '+31 (0)6', '0031 (0)6 ', '+31 6 ', '06-', '0800', '0900', '0909', '085', '088', '097', '020', '010', '0031 20 ', '+31 97',
  '+1 201', '+1 800', '+1 684', '+7 9', '+7 7', '+44 7', '+44 20', '+44 7624', '+32 4', '+49 15', '+49 30', '+33 6', '+352 6', '+800 ', '+882 ', '+979 ',
  '+290 ', '+672 ', '+383 4', '+590 690', '+262 269', '+', '', '0', 'abc', '+31', '06 ', 'tel:+316',
];

function* inputs(): Generator<string> {
  let seed = 16;
  const digit = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return String(seed % 10);
  };
  for (const prefix of PREFIXES) {
    for (let length = 0; length <= 12; length++) {
      for (let k = 0; k < 25; k++) yield prefix + Array.from({ length }, digit).join('');
    }
  }
}

it('gives the same answer as isValid() then getType() for every kind of number', () => {
  let compared = 0;
  const kinds = new Set<string>();
  for (const input of inputs()) {
    const result = normalizePhone(input);
    expect([input, result]).toEqual([input, before(input)]);
    kinds.add(result.ok ? String(result.type) : 'invalid');
    compared++;
  }
  expect(compared).toBeGreaterThan(10_000);
  // The inputs reach every answer the intake tells apart.
  for (const kind of ['invalid', 'MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'PREMIUM_RATE']) expect(kinds).toContain(kind);
});

it('refuses a number written with ;phone-context=, the same way every time (the library alternates)', () => {
  for (const input of ['0612345678;phone-context=+31', '612345678;phone-context=+31', '+31612345678;PHONE-CONTEXT=+31']) {
    const answers = [normalizePhone(input), normalizePhone(input), normalizePhone(input), normalizePhone(input)];
    expect(answers).toEqual(answers.map(() => ({ ok: false })));
  }
  expect(normalizePhone('0612345678;ext=1')).toMatchObject({ ok: true, e164: '+31612345678' });
});
