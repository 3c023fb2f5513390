// The encoding of an XML upload, as XML itself says it (XML 1.0, appendix F): a byte order mark
// (UTF-8, UTF-16 in either order), the 16-bit pattern of `<?` without one, then the encoding
// its declaration names (`<?xml version="1.0" encoding="ISO-8859-1"?>`); UTF-8 when none says.
// A charset the sender named (the upload's charset field or Content-Type parameter) is used
// when the document says nothing, as the CSV path uses it (workers/core/csv-sniff.ts); for
// UTF-16 a byte order mark still says the order. Anything that contradicts another is refused
// naming both, never guessed: a BOM against the declaration, the declaration or the sender
// against the bytes. UTF-32 (its BOM) is refused by name. No saxes here: the web role tells an
// upload's kind with this file without loading the XML reader.
import { charsetName } from '../../core/csv-sniff.js';
import { XmlProblem } from './xml-problem.js';

/** Bytes read to find the XML declaration (its longest sensible form in UTF-16 is a few hundred). */
export const PROLOG_BYTES = 1024;

type Family = 'utf-8' | 'utf-16le' | 'utf-16be' | 'ascii';

/** What the first bytes say: a UTF-32 BOM (not read), a BOM, the 16-bit `<?`, or nothing (ASCII-compatible). */
function family(prefix: Buffer): { family: Family; bom: boolean } | { utf32: string } {
  if (prefix.length >= 4 && prefix.readUInt32LE(0) === 0xfeff) return { utf32: 'UTF-32LE' };
  if (prefix.length >= 4 && prefix.readUInt32BE(0) === 0xfeff) return { utf32: 'UTF-32BE' };
  if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) return { family: 'utf-8', bom: true };
  if (prefix[0] === 0xff && prefix[1] === 0xfe) return { family: 'utf-16le', bom: true };
  if (prefix[0] === 0xfe && prefix[1] === 0xff) return { family: 'utf-16be', bom: true };
  if (prefix[0] === 0x3c && prefix[1] === 0x00 && prefix[2] === 0x3f && prefix[3] === 0x00) return { family: 'utf-16le', bom: false };
  if (prefix[0] === 0x00 && prefix[1] === 0x3c && prefix[2] === 0x00 && prefix[3] === 0x3f) return { family: 'utf-16be', bom: false };
  return { family: 'ascii', bom: false };
}

const XML_DECL = /^<\?xml[ \t\r\n]/;
const ENCODING = /^<\?xml[ \t\r\n][^?>]*?\bencoding[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/;

/** The label the XML declaration names, or null (no declaration, or none with an encoding). */
function declaredLabel(prefix: Buffer, fam: Family, bom: boolean): string | null {
  const bytes = prefix.subarray(bom ? (fam === 'utf-8' ? 3 : 2) : 0, PROLOG_BYTES);
  // ASCII-compatible until the declaration ends: Latin-1 reads its bytes one for one.
  const text = fam === 'ascii' || fam === 'utf-8' ? bytes.toString('latin1') : new TextDecoder(fam).decode(bytes);
  if (!XML_DECL.test(text)) return null;
  const end = text.indexOf('?>');
  if (end < 0) throw new XmlProblem('malformed-xml', `the XML declaration does not end within its first ${PROLOG_BYTES} bytes`);
  const match = ENCODING.exec(text.slice(0, end + 2));
  return match ? (match[1] ?? match[2] ?? '').slice(0, 40) : null;
}

const upper = (name: string) => name.toUpperCase();
const isUtf16 = (name: string) => name === 'utf-16le' || name === 'utf-16be';

/** Whether a label (as written) or canonical name agrees with the UTF-16 order the bytes show: "UTF-16" names either order. */
function agreesWith16(order: 'utf-16le' | 'utf-16be', label: string, name: string): boolean {
  return /^utf-?16$/i.test(label.trim()) || name === order;
}

/**
 * The canonical name to decode an XML file with (a TextDecoder label), from its first bytes (at
 * least PROLOG_BYTES of them when the file is that long) and the charset the sender named
 * (canonical, or null); an XmlProblem `xml-encoding` naming what contradicts what otherwise.
 */
export function xmlEncoding(prefix: Buffer, sent: string | null = null): string {
  const found = family(prefix);
  if ('utf32' in found) throw new XmlProblem('xml-encoding', `the file is ${found.utf32} (its byte order mark says so), which is not read: save it as UTF-8`);
  const fam = found.family;
  const what = found.bom ? `its byte order mark says ${upper(fam)}` : fam === 'ascii' ? 'its bytes are not UTF-16' : `its bytes are ${upper(fam)} (no byte order mark)`;
  const label = declaredLabel(prefix, fam, found.bom);
  let declared: string | null = null;
  if (label !== null) {
    declared = charsetName(label);
    if (declared === null) throw new XmlProblem('xml-encoding', `its XML declaration names the encoding ${JSON.stringify(label)}, which is not read`);
    const agrees = fam === 'ascii' ? !isUtf16(declared) : fam === 'utf-8' ? declared === 'utf-8' : agreesWith16(fam, label, declared);
    if (!agrees) throw new XmlProblem('xml-encoding', `${what} but its XML declaration says ${JSON.stringify(label)}`);
  }
  // What the document itself says: its BOM or 16-bit bytes, else its declaration, else nothing.
  const own = fam !== 'ascii' ? fam : declared;
  if (sent !== null) {
    const agrees = own === null ? !isUtf16(sent) : isUtf16(own) ? isUtf16(sent) : sent === own;
    if (!agrees) {
      const says = own === null ? 'its bytes are not UTF-16' : fam !== 'ascii' ? what : `its XML declaration says ${JSON.stringify(label)}`;
      throw new XmlProblem('xml-encoding', `it was sent as ${sent} but ${says}`, 'charset');
    }
  }
  return own ?? sent ?? 'utf-8';
}

/** Whether the first bytes are XML: `<` first after a byte order mark (UTF-8, UTF-16, UTF-32: the last refused by name later) and white space. */
export function looksLikeXml(prefix: Buffer): boolean {
  const found = family(prefix);
  const [start, width, offset] =
    'utf32' in found
      ? [4, 4, found.utf32 === 'UTF-32LE' ? 0 : 3]
      : found.family === 'utf-16le'
        ? [found.bom ? 2 : 0, 2, 0]
        : found.family === 'utf-16be'
          ? [found.bom ? 2 : 0, 2, 1]
          : [found.family === 'utf-8' ? 3 : 0, 1, 0];
  const unit = (at: number) => {
    // The code unit's other bytes are zero for an ASCII character.
    for (let b = 0; b < width; b += 1) if (b !== offset && prefix[at + b] !== 0) return -1;
    return prefix[at + offset] ?? -1;
  };
  let i = start;
  while (i < prefix.length && [0x20, 0x09, 0x0a, 0x0d].includes(unit(i))) i += width;
  return unit(i) === 0x3c;
}
