// SMS encoding and segmentation, per 3GPP TS 23.038 (section 6.2.1: the GSM 7-bit default alphabet
// and its extension table) and 3GPP TS 23.040 (concatenated SMS: a 6-octet UDH leaves 153 septets
// or 67 UCS-2 characters per part, against 160 septets or 70 characters for a single message).
//
// Septets are counted and carried unpacked (one septet per byte), as SMPP data_coding 0 does; the
// SMSC packs them. UCS-2 is sent as UTF-16 big-endian, so a character outside the BMP (an emoji) is
// a surrogate pair costing two units, as every SMSC in practice counts it. Text is taken as given:
// no normalisation and no look-alike mapping (a decomposed 'e' + U+0301 is not GSM 'é'; 'ç' is
// not 'Ç'), so what is counted here is exactly what is sent.

type SmsEncoding = 'gsm7' | 'ucs2';

interface SegmentInfo {
  encoding: SmsEncoding;
  /** Unicode code points in the text (an emoji is one, a surrogate pair in UTF-16). */
  characters: number;
  /** Septets for gsm7 (an extension character costs two), UTF-16 code units for ucs2. */
  units: number;
  /** Number of messages the SMSC sends; an empty text still goes out as one. */
  segments: number;
  /** Capacity of each segment: 160 / 153 for gsm7, 70 / 67 for ucs2 (single / concatenated). */
  perSegment: number;
}

/** The escape septet that selects the extension table for the next septet (TS 23.038 6.2.1.1). */
const ESC = 0x1b;

/**
 * The GSM 7-bit default alphabet, basic character set, indexed by septet value 0x00..0x7F
 * (TS 23.038 6.2.1). Position 0x1B is the escape to the extension table, not a character: it holds
 * a placeholder that the lookup below skips, so a literal U+001B in the text is not GSM.
 */
export const BASIC_SET =
  '@£$¥èéùìòÇ\nØø\rÅå' + // 0x00-0x0F
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' + // 0x10-0x1F (Δ U+0394, Ω U+03A9; 0x1B = ESC)
  ' !"#¤%&\'()*+,-./' + // 0x20-0x2F (¤ U+00A4 at 0x24)
  '0123456789:;<=>?' + // 0x30-0x3F
  '¡ABCDEFGHIJKLMNO' + // 0x40-0x4F
  'PQRSTUVWXYZÄÖÑÜ§' + // 0x50-0x5F
  '¿abcdefghijklmno' + // 0x60-0x6F
  'pqrstuvwxyzäöñüà'; // 0x70-0x7F

/** The extension table (TS 23.038 6.2.1.1): each is sent as ESC followed by the code given here. */
export const EXTENSION_TABLE: ReadonlyMap<string, number> = new Map([
  ['\f', 0x0a], // form feed (page break)
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);

const BASIC: ReadonlyMap<string, number> = new Map(
  [...BASIC_SET].flatMap((char, septet) => (septet === ESC ? [] : [[char, septet] as const])),
);

if (BASIC_SET.length !== 128 || BASIC.size !== 127) throw new Error('GSM 03.38 basic set table is malformed');

/**
 * The two tables by UTF-16 code unit, for the hot loops (every message is measured at intake
 * and encoded at sending): the septet of a basic character, or ESC_FLAG + the code of an
 * extension character, or NOT_GSM. Every GSM character is one code unit.
 */
const NOT_GSM = -1;
const ESC_FLAG = 0x100;
const SEPTET_BY_UNIT = new Int16Array(0x10000).fill(NOT_GSM);
for (const [char, septet] of BASIC) SEPTET_BY_UNIT[char.charCodeAt(0)] = septet;
for (const [char, code] of EXTENSION_TABLE) SEPTET_BY_UNIT[char.charCodeAt(0)] = ESC_FLAG | code;

/**
 * String.prototype.charCodeAt, called as `charCodeAt.call(text, i)` in the loops over a text.
 * `text.charCodeAt(i)` is a property load on the string first: the sms worker hands these
 * functions strings of more than four representations (flat one- and two-byte, sliced,
 * concatenated: pg's values, the PDU reader's, their slices), and V8's optimised code then
 * makes that load a call to its generic LoadIC for every character (a sixth of the worker's
 * CPU, bench/JOURNAL.md "Issue 16, tenth round"). Through this constant it is inlined as the
 * bare character read, whatever the representation. The same in smpp/receipt-fields.ts,
 * receipt.ts, message-ids.ts and text-coding.ts.
 */
const charCodeAt = String.prototype.charCodeAt; // eslint-disable-line @typescript-eslint/unbound-method -- only ever called with .call

const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/** Septets a character costs in GSM-7: 1 (basic set), 2 (extension table) or undefined (not GSM). */
function septetCost(char: string): 1 | 2 | undefined {
  const entry = char.length === 1 ? (SEPTET_BY_UNIT[char.charCodeAt(0)] ?? NOT_GSM) : NOT_GSM;
  if (entry === NOT_GSM) return undefined;
  return entry & ESC_FLAG ? 2 : 1;
}

/** gsm7 when every character is in the basic set or the extension table, else ucs2. */
export function encodingOf(text: string): SmsEncoding {
  // By code unit: half of a surrogate pair is in neither table, so an emoji is ucs2 here too.
  for (let i = 0, n = text.length; i < n; i++) {
    if (SEPTET_BY_UNIT[charCodeAt.call(text, i)] === NOT_GSM) return 'ucs2';
  }
  return 'gsm7';
}

/**
 * What a character costs in the given encoding: septets for gsm7, UTF-16 code units for ucs2.
 * Only called with encodingOf(text), so in gsm7 every character has a septet cost.
 */
function unitCost(char: string, encoding: SmsEncoding): number {
  return encoding === 'gsm7' ? (septetCost(char) ?? 1) : char.length;
}

function unitsOf(text: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return text.length;
  let units = 0;
  for (let i = 0, n = text.length; i < n; i++) units += (SEPTET_BY_UNIT[charCodeAt.call(text, i)] ?? 0) & ESC_FLAG ? 2 : 1;
  return units;
}

/**
 * Cuts text into parts of at most `limit` units, on code point boundaries only: an extension
 * character (ESC + code) or a surrogate pair that would straddle the limit moves whole to the next
 * part, so a part can hold one unit fewer than the limit.
 */
function cut(text: string, encoding: SmsEncoding, limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const char of text) {
    const cost = unitCost(char, encoding);
    if (used + cost > limit) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += char;
    used += cost;
  }
  parts.push(current);
  return parts;
}

/**
 * How the SMSC will get a text: its encoding, its units, the capacity of a single message and
 * of a part, and the parts. One part (the whole text) when it fits a single message, otherwise
 * parts cut at the smaller capacity.
 */
function layout(text: string, encoding: SmsEncoding = encodingOf(text)): { encoding: SmsEncoding; units: number; single: number; part: number; parts: string[] } {
  const units = unitsOf(text, encoding);
  const single = encoding === 'gsm7' ? GSM_SINGLE : UCS2_SINGLE;
  const part = encoding === 'gsm7' ? GSM_PART : UCS2_PART;
  return { encoding, units, single, part, parts: units <= single ? [text] : cut(text, encoding, part) };
}

/**
 * The parts as the SMSC will get them: the whole text when it fits one message (160 septets or 70
 * UTF-16 units), otherwise parts of at most 153 septets or 67 units, never splitting an extension
 * character's escape sequence or a surrogate pair. An empty text is one empty part. Joining the
 * parts always gives back the text. `encoding` ucs2 splits a GSM text as UCS-2 (an SMSC that
 * cannot take its characters under the label configured for GSM-7).
 */
export function splitParts(text: string, encoding?: SmsEncoding): string[] {
  return layout(text, encoding).parts;
}

/**
 * Encoding, size and segment count of a text. An empty text counts as one segment, since the SMSC
 * still sends one (empty) message. The segment count is that of splitParts, so it can exceed
 * ceil(units / 153) (or / 67) when an extension character or emoji lands on a part boundary.
 */
export function analyse(text: string): SegmentInfo {
  const { encoding, units, single, part, parts } = layout(text);
  const segments = parts.length;
  return {
    encoding,
    characters: [...text].length,
    units,
    segments,
    perSegment: segments === 1 ? single : part,
  };
}

/**
 * GSM-7 as SMPP data_coding 0 carries it: one septet value per byte (unpacked), an extension
 * character as 0x1B followed by its code. Throws on a character outside the GSM alphabet.
 */
export function encodeGsm7(text: string): Buffer {
  const n = text.length;
  let length = 0;
  for (let i = 0; i < n; i++) {
    const entry = SEPTET_BY_UNIT[charCodeAt.call(text, i)] ?? NOT_GSM;
    if (entry === NOT_GSM) {
      const codePoint = text.codePointAt(i) ?? 0;
      const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
      throw new RangeError(`Character U+${hex} at index ${i} is not in the GSM 03.38 alphabet`);
    }
    length += entry & ESC_FLAG ? 2 : 1;
  }
  const septets = Buffer.allocUnsafe(length);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const entry = SEPTET_BY_UNIT[charCodeAt.call(text, i)] ?? 0;
    if (entry & ESC_FLAG) septets[o++] = ESC;
    septets[o++] = entry & 0x7f;
  }
  return septets;
}

/** UCS-2 as sent in practice: UTF-16 big-endian, a character outside the BMP as its surrogate pair. */
export function encodeUcs2(text: string): Buffer {
  const buffer = Buffer.alloc(text.length * 2);
  for (let i = 0, n = text.length; i < n; i++) buffer.writeUInt16BE(charCodeAt.call(text, i), i * 2);
  return buffer;
}
