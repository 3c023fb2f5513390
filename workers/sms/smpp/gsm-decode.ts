// Text of a received PDU as the smpp package decodes it (unpacked GSM-7 septets under
// data_coding 0 and 1, Latin-1 under 3, UTF-16BE under 8), with tables built once: the
// package's GSM decoder builds a RegExp on every call, and read every receipt with it.
import { BASIC_SET, EXTENSION_TABLE } from '../encoding.js';

const ESC = 0x1b;
const SPACE = 0x20;
/** By septet: the basic character (the package's table; ESC stays ESC unless an extension follows). */
const BASIC = Uint16Array.from({ length: 128 }, (_, i) => BASIC_SET.charCodeAt(i));
/** By the septet after an ESC: the extension character, or 0. */
const EXTENSION = new Uint16Array(128);
for (const [char, septet] of EXTENSION_TABLE) EXTENSION[septet] = char.charCodeAt(0);
/** Septets that read as the same ASCII byte (letters, digits, most punctuation): a receipt's text is all of them. */
const SAME_AS_ASCII = Uint8Array.from({ length: 256 }, (_, i) => (i < 128 && BASIC[i] === i && i !== ESC ? 1 : 0));

export function decodeGsm7(bytes: Buffer): string {
  let same = true;
  for (let i = 0; i < bytes.length && same; i++) same = SAME_AS_ASCII[bytes[i]!] === 1;
  if (same) return bytes.toString('latin1');
  const units = new Uint16Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const next = bytes[i + 1];
    if (b === ESC && next !== undefined && next < 128 && EXTENSION[next]) {
      units[n++] = EXTENSION[next];
      i++;
    } else {
      // Past the 7 bits a septet has: a space, as the package reads it.
      units[n++] = b < 128 ? BASIC[b]! : SPACE;
    }
  }
  return Buffer.from(units.buffer, 0, n * 2).toString('utf16le');
}

/** UTF-16BE, a leading byte order mark dropped (as iconv-lite does); undefined for an odd length. */
export function decodeUcs2(bytes: Buffer): string | undefined {
  if (bytes.length % 2 !== 0) return undefined;
  const text = Buffer.from(bytes).swap16().toString('utf16le');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
