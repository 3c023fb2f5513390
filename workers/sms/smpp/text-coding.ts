// The data_coding a message goes under and its bytes per part. GSM-7 text is sent as unpacked
// septets under data_coding 0; an SMSC configured for 1 (IA5/ASCII) or 3 (Latin-1) gets the
// text in that character set, which the label promises, when every character is in it, and
// UCS-2 (data_coding 8) when one is not: the GSM septets under those labels arrived garbled
// (`@`, `_`, `é`, `€`). Parts stay cut by GSM-7 septets under 1 and 3 (the SMSC sends them as
// GSM-7 on the air); a fallback to UCS-2 is cut as UCS-2, so it can take more parts.
import { encodeGsm7, encodeUcs2, splitParts } from '../encoding.js';

export interface PartCoding {
  readonly dataCoding: number;
  /** The bytes of each part the text is sent in. */
  readonly payloads: readonly Buffer[];
}

const GSM_DEFAULT = 0;
const IA5 = 1;
const LATIN1 = 3;
const UCS2 = 8;

const latin1 = (part: string) => Buffer.from(part, 'latin1');
/** Septets in a single message (TS 23.040); a longer text is cut into parts of 153. */
const GSM_SINGLE = 160;

/** Called as `charCodeAt.call(s, i)`: inlined whatever the string's representation (see ../encoding.ts). */
const charCodeAt = String.prototype.charCodeAt; // eslint-disable-line @typescript-eslint/unbound-method -- only ever called with .call

/** True when every UTF-16 unit of the text is below `limit` (0x80 ASCII, 0x100 Latin-1). */
function allBelow(text: string, limit: number): boolean {
  for (let i = 0, n = text.length; i < n; i++) if (charCodeAt.call(text, i) >= limit) return false;
  return true;
}

export function partCoding(message: { text: string; encoding: 'gsm7' | 'ucs2' }, gsmDataCoding: number): PartCoding {
  const { text } = message;
  if (message.encoding === 'gsm7') {
    if (gsmDataCoding === GSM_DEFAULT) {
      // Most texts are one message: encoded once, instead of measured, cut and then encoded
      // (three passes over every text, a twentieth of the worker's CPU).
      const whole = encodeGsm7(text);
      return { dataCoding: GSM_DEFAULT, payloads: whole.length <= GSM_SINGLE ? [whole] : splitParts(text, 'gsm7').map(encodeGsm7) };
    }
    if (gsmDataCoding === IA5 && allBelow(text, 0x80)) return { dataCoding: IA5, payloads: splitParts(text).map(latin1) };
    if (gsmDataCoding === LATIN1 && allBelow(text, 0x100)) return { dataCoding: LATIN1, payloads: splitParts(text).map(latin1) };
    if (gsmDataCoding !== IA5 && gsmDataCoding !== LATIN1) throw new RangeError(`data_coding ${gsmDataCoding} is not one this platform encodes for`);
  }
  return { dataCoding: UCS2, payloads: splitParts(text, 'ucs2').map(encodeUcs2) };
}
