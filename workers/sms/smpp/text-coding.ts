// The data_coding a message goes under and its bytes per part. GSM-7 text is sent as unpacked
// septets under data_coding 0; an SMSC configured for 1 (IA5/ASCII) or 3 (Latin-1) gets the
// text in that character set, which the label promises, when every character is in it, and
// UCS-2 (data_coding 8) when one is not: the GSM septets under those labels arrived garbled
// (`@`, `_`, `é`, `€`). Parts stay cut by GSM-7 septets under 1 and 3 (the SMSC sends them as
// GSM-7 on the air); a fallback to UCS-2 is cut as UCS-2, so it can take more parts.
import { encodeGsm7, encodeUcs2, splitParts } from '../encoding.js';

export interface PartCoding {
  readonly dataCoding: number;
  /** The text as the parts it is sent in. */
  readonly parts: readonly string[];
  readonly encode: (part: string) => Buffer;
}

const GSM_DEFAULT = 0;
const IA5 = 1;
const LATIN1 = 3;
const UCS2 = 8;

const latin1 = (part: string) => Buffer.from(part, 'latin1');

/** True when every UTF-16 unit of the text is below `limit` (0x80 ASCII, 0x100 Latin-1). */
function allBelow(text: string, limit: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= limit) return false;
  return true;
}

export function partCoding(message: { text: string; encoding: 'gsm7' | 'ucs2' }, gsmDataCoding: number): PartCoding {
  const { text } = message;
  if (message.encoding === 'gsm7') {
    if (gsmDataCoding === GSM_DEFAULT) return { dataCoding: GSM_DEFAULT, parts: splitParts(text), encode: encodeGsm7 };
    if (gsmDataCoding === IA5 && allBelow(text, 0x80)) return { dataCoding: IA5, parts: splitParts(text), encode: latin1 };
    if (gsmDataCoding === LATIN1 && allBelow(text, 0x100)) return { dataCoding: LATIN1, parts: splitParts(text), encode: latin1 };
    if (gsmDataCoding !== IA5 && gsmDataCoding !== LATIN1) throw new RangeError(`data_coding ${gsmDataCoding} is not one this platform encodes for`);
  }
  return { dataCoding: UCS2, parts: splitParts(text, 'ucs2'), encode: encodeUcs2 };
}
