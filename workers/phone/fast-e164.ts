// The fast path of normalizePhone (issues 16 and 17): the numbers batches are made of, Dutch
// numbers written 06..., 316..., +316... or 00316... (spaces and dashes allowed) and E.164
// numbers of calling codes that belong to one country, read with the steps of libphonenumber-js's
// parse() and getType() and with its own metadata (its Metadata API), the patterns compiled once,
// without its per-character iterators and a new RegExp per check. Anything else answers
// undefined and goes to libphonenumber: letters, brackets, other punctuation, Unicode digits, 2
// digits or fewer, shared calling codes (+1, +7, +44), non-geographic codes (+800), plans with a
// national-prefix transform rule (Argentina, Mexico...). test/phone-fast-path.test.ts holds its
// answers equal to the library's. Steps mirrored (libphonenumber-js source, helpers/):
// extractCountryCallingCode, stripIddPrefix, extractCountryCallingCodeFromInternationalNumber-
// WithoutPlusSign, extractNationalNumber, checkNumberLength, getNumberType, isValid.
// Metadata from the core build with the max metadata given: the max build's CommonJS entry (what
// a tsx-run worker thread loads) does not export Metadata.
import { Metadata } from 'libphonenumber-js/core';
import type { PhoneNumberType } from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/metadata.max.json';
import type { PhoneResult } from './e164.js';

/** The country a number without + or 00 belongs to, as normalizePhone has always assumed. */
export const HOME_COUNTRY = 'NL';

// The library's limits (constants.js, parse.js): national significant number 2-17 digits,
// input at most 250 characters; we take the fast path for far shorter inputs only.
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_FAST_INPUT = 64;

// getNumberType's order: FIXED_LINE first (FIXED_LINE_OR_MOBILE where mobile numbers look the
// same), then these, the first that matches wins.
const NON_FIXED_LINE_TYPES: readonly PhoneNumberType[] = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

/** What the library's Metadata object does at run time; its typings declare little of it. */
interface RuntimeType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface RuntimePlan {
  callingCode(): string;
  IDDPrefix(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  hasTypes(): boolean;
  type(type: PhoneNumberType): RuntimeType | undefined;
}
interface RuntimeMetadata {
  hasCallingCode(callingCode: string): boolean | undefined;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan: RuntimePlan;
}

interface TypeRule {
  readonly type: PhoneNumberType;
  readonly pattern: RegExp;
  readonly lengths: readonly number[] | undefined;
}

interface Plan {
  readonly callingCode: string;
  /** `^(?:IDD)`: the international prefix (00 in the Netherlands). */
  readonly idd: RegExp;
  readonly nationalNumber: RegExp;
  readonly lengths: readonly number[] | undefined;
  /** `^(?:prefix)`: the national (trunk) prefix as the library strips it, 0 here. */
  readonly nationalPrefix: RegExp | undefined;
  readonly hasTypes: boolean;
  readonly fixedLine: TypeRule | undefined;
  /** A fixed-line number is FIXED_LINE_OR_MOBILE whatever it is: the plan has no mobile pattern. */
  readonly fixedLineIsAlsoMobile: boolean;
  readonly mobile: TypeRule | undefined;
  readonly others: readonly TypeRule[];
}

/** matchesEntirely's expression (helpers/matchesEntirely.js). */
const entirely = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

function compilePlan(plan: RuntimePlan): Plan {
  const rule = (type: PhoneNumberType): TypeRule | undefined => {
    const definition = plan.type(type);
    // isNumberTypeEqualTo: a type without a pattern never matches.
    if (!definition?.pattern()) return undefined;
    return { type, pattern: entirely(definition.pattern()), lengths: definition.possibleLengths() };
  };
  const mobileDefinition = plan.type('MOBILE');
  const prefix = plan.nationalPrefixForParsing();
  return {
    callingCode: plan.callingCode(),
    idd: new RegExp(`^(?:${plan.IDDPrefix()})`),
    nationalNumber: entirely(plan.nationalNumberPattern()),
    lengths: plan.possibleLengths(),
    nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
    hasTypes: plan.hasTypes(),
    fixedLine: rule('FIXED_LINE'),
    fixedLineIsAlsoMobile: !mobileDefinition || mobileDefinition.pattern() === '',
    mobile: rule('MOBILE'),
    others: NON_FIXED_LINE_TYPES.map(rule).filter((r): r is TypeRule => r !== undefined),
  };
}

/**
 * Calling codes 1-999 by number: a plan where the fast path knows the code (one country, no
 * transform rule), null where it is a calling code the library must read, undefined where none.
 * Compiled on a code's first number, once.
 */
const metadata = new Metadata(maxMetadata) as unknown as RuntimeMetadata;
const byCallingCode: (Plan | null | undefined)[] = new Array<Plan | null | undefined>(1000);
const compiled = new Set<number>();

function planOf(code: number): Plan | null | undefined {
  if (compiled.has(code)) return byCallingCode[code];
  compiled.add(code);
  const callingCode = String(code);
  if (!metadata.hasCallingCode(callingCode)) return undefined;
  byCallingCode[code] = null;
  if (metadata.getCountryCodesForCallingCode(callingCode)?.length !== 1) return null;
  metadata.selectNumberingPlan(callingCode);
  if (metadata.numberingPlan.nationalPrefixTransformRule()) return null;
  return (byCallingCode[code] = compilePlan(metadata.numberingPlan));
}

metadata.selectNumberingPlan(HOME_COUNTRY);
const homeCode = Number(metadata.numberingPlan.callingCode());
/** The home plan; null if its calling code is shared (then national numbers take the library). */
const home = planOf(homeCode) ?? null;

type LengthCheck = 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';

/** checkNumberLength (helpers/checkNumberLength.js) without a type. */
function checkLength(plan: Plan, length: number): LengthCheck {
  const lengths = plan.lengths;
  if (!lengths) return 'IS_POSSIBLE';
  const minimum = lengths[0] ?? 0;
  if (minimum === length) return 'IS_POSSIBLE';
  if (minimum > length) return 'TOO_SHORT';
  if ((lengths[lengths.length - 1] ?? 0) < length) return 'TOO_LONG';
  return lengths.indexOf(length, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

/** extractNationalNumber: the trunk prefix dropped where the rest still looks like a number. */
function nationalSignificant(plan: Plan, number: string): string {
  if (!number || !plan.nationalPrefix) return number;
  const stripped = number.replace(plan.nationalPrefix, '');
  if (stripped === number) return number;
  if (plan.nationalNumber.test(number) && !plan.nationalNumber.test(stripped)) return number;
  const length = checkLength(plan, stripped.length);
  return length === 'TOO_SHORT' || length === 'INVALID_LENGTH' ? number : stripped;
}

function matchesType(rule: TypeRule | undefined, number: string): boolean {
  if (!rule) return false;
  if (rule.lengths && rule.lengths.indexOf(number.length) < 0) return false;
  return rule.pattern.test(number);
}

/** getNumberType (helpers/getNumberType.js). */
function typeOf(plan: Plan, number: string): PhoneNumberType | undefined {
  if (!plan.nationalNumber.test(number)) return undefined;
  if (matchesType(plan.fixedLine, number)) {
    return plan.fixedLineIsAlsoMobile || matchesType(plan.mobile, number) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  for (const rule of plan.others) if (matchesType(rule, number)) return rule.type;
  return undefined;
}

/** The parsed number's answer: its length checks (parse.js), type and validity (isValid.js). */
function answer(plan: Plan, number: string): PhoneResult {
  if (number.length < MIN_LENGTH_FOR_NSN || number.length > MAX_LENGTH_FOR_NSN) return { ok: false };
  const type = typeOf(plan, number);
  if (plan.hasTypes ? type === undefined : !plan.nationalNumber.test(number)) return { ok: false };
  return { ok: true, e164: `+${plan.callingCode}${number}`, type, countryCallingCode: plan.callingCode };
}

/** After a +: the shortest leading 1-3 digits that are a calling code (extractCountryCallingCode). */
function international(digits: string): PhoneResult | undefined {
  if (digits.charCodeAt(0) === 48) return undefined;
  let code = 0;
  for (let length = 1; length <= 3; length++) {
    code = code * 10 + digits.charCodeAt(length - 1) - 48;
    const plan = planOf(code);
    if (plan === undefined) continue;
    return plan === null ? undefined : answer(plan, nationalSignificant(plan, digits.slice(length)));
  }
  return undefined;
}

/** Without + or 00: the home country's, or its calling code written without the + (316...). */
function national(digits: string): PhoneResult | undefined {
  if (!home || home.idd.test(digits)) return undefined;
  let number = digits;
  if (digits.startsWith(home.callingCode)) {
    const shorter = digits.slice(home.callingCode.length);
    const whole = nationalSignificant(home, digits);
    if ((!home.nationalNumber.test(whole) && home.nationalNumber.test(nationalSignificant(home, shorter))) || checkLength(home, whole.length) === 'TOO_LONG') {
      number = shorter;
    }
  }
  return answer(home, nationalSignificant(home, number));
}

/** ASCII digits with single or repeated spaces and dashes between them, an optional + first. */
const FAST_SHAPE = /^\+?[0-9](?:[ -]*[0-9])*$/;
const SEPARATORS = /[ -]+/g;

/**
 * libphonenumber's answer for `cleaned` (normalizePhone's input after its own clean-up), or
 * undefined where the library has to be asked.
 */
export function fastPhone(cleaned: string): PhoneResult | undefined {
  if (cleaned.length > MAX_FAST_INPUT || !FAST_SHAPE.test(cleaned)) return undefined;
  const plus = cleaned.charCodeAt(0) === 43;
  const digits = (plus ? cleaned.slice(1) : cleaned).replace(SEPARATORS, '');
  if (digits.length < 3) return undefined;
  return plus ? international(digits) : national(digits);
}
