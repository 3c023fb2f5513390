// SMS encoding and segmentation (3GPP TS 23.038 / 23.040): the boundaries where a message gains a
// segment, extension characters and emoji that must not be split across parts, and the exact bytes.
import { describe, expect, it } from 'vitest';
import { analyse, encodeGsm7, encodeUcs2, encodingOf, splitParts } from '../workers/sms/encoding.js';

const partLengths = (text: string): number[] => splitParts(text).map((part) => part.length);
const bytes = (buffer: Buffer): number[] => [...buffer];

describe('encodingOf', () => {
  it('keeps GSM-7 for é and the extension characters, switches to UCS-2 for ë', () => {
    expect(encodingOf('café')).toBe('gsm7');
    expect(encodingOf('Noël')).toBe('ucs2');
    expect(encodingOf('{}[]~|\\^')).toBe('gsm7');
    expect(encodingOf('€ 5,- \f')).toBe('gsm7');
    expect(encodingOf('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?')).toBe('gsm7');
    expect(encodingOf('¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà')).toBe('gsm7');
  });

  it('maps nothing beyond the tables', () => {
    expect(encodingOf('ç')).toBe('ucs2'); // only capital Ç (0x09) is GSM
    expect(encodingOf('e\u0301')).toBe('ucs2'); // decomposed é is not normalised
    expect(encodingOf('\u2126')).toBe('ucs2'); // OHM SIGN, not Ω U+03A9
    expect(encodingOf('`')).toBe('ucs2');
    expect(encodingOf('\u001b')).toBe('ucs2'); // a literal ESC is not a character
    expect(encodingOf('\t')).toBe('ucs2');
    expect(encodingOf('😀')).toBe('ucs2');
  });

  it('treats the empty text as GSM-7', () => {
    expect(encodingOf('')).toBe('gsm7');
  });
});

describe('analyse and splitParts, GSM-7', () => {
  it('fits 160 septets in one segment and splits 161 into 153 + 8', () => {
    expect(analyse('a'.repeat(160))).toEqual({ encoding: 'gsm7', characters: 160, units: 160, segments: 1, perSegment: 160 });
    expect(partLengths('a'.repeat(160))).toEqual([160]);
    expect(analyse('a'.repeat(161))).toEqual({ encoding: 'gsm7', characters: 161, units: 161, segments: 2, perSegment: 153 });
    expect(partLengths('a'.repeat(161))).toEqual([153, 8]);
  });

  it('fits 306 septets in two parts and needs a third for 307', () => {
    expect(analyse('a'.repeat(306)).segments).toBe(2);
    expect(partLengths('a'.repeat(306))).toEqual([153, 153]);
    expect(analyse('a'.repeat(307)).segments).toBe(3);
    expect(partLengths('a'.repeat(307))).toEqual([153, 153, 1]);
  });

  it('counts an extension character as two septets', () => {
    expect(analyse('€'.repeat(80))).toEqual({ encoding: 'gsm7', characters: 80, units: 160, segments: 1, perSegment: 160 });
    expect(partLengths('€'.repeat(80))).toEqual([80]);
    // 162 septets: 76 € (152 septets) per part, the 77th would make 154.
    expect(analyse('€'.repeat(81))).toEqual({ encoding: 'gsm7', characters: 81, units: 162, segments: 2, perSegment: 153 });
    expect(partLengths('€'.repeat(81))).toEqual([76, 5]);
    expect(analyse('a{b}').units).toBe(6);
  });

  it('moves an extension character that would straddle the 153-septet boundary to the next part', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    expect(analyse(text)).toEqual({ encoding: 'gsm7', characters: 163, units: 164, segments: 2, perSegment: 153 });
    const parts = splitParts(text);
    expect(parts).toEqual(['a'.repeat(152), '€' + 'b'.repeat(10)]);
    expect(encodeGsm7(parts[0] ?? '')).toHaveLength(152);
    expect(encodeGsm7(parts[1] ?? '')).toHaveLength(12);
  });

  it('can need more segments than ceil(septets / 153) because of that', () => {
    // 306 septets would fit two full parts, but the € at septets 153-154 moves, so the parts
    // hold 152, 153 (€ + 151 b) and 1 septets.
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(152);
    expect(analyse(text).units).toBe(306);
    expect(analyse(text).segments).toBe(3);
    expect(splitParts(text)).toEqual(['a'.repeat(152), '€' + 'b'.repeat(151), 'b']);
    expect(splitParts(text).map((part) => analyse(part).units)).toEqual([152, 153, 1]);
  });

  it('sends an empty text as one empty segment', () => {
    expect(analyse('')).toEqual({ encoding: 'gsm7', characters: 0, units: 0, segments: 1, perSegment: 160 });
    expect(splitParts('')).toEqual(['']);
  });
});

describe('analyse and splitParts, UCS-2', () => {
  it('fits 70 units in one segment and splits 71 into 67 + 4', () => {
    expect(analyse('ë'.repeat(70))).toEqual({ encoding: 'ucs2', characters: 70, units: 70, segments: 1, perSegment: 70 });
    expect(partLengths('ë'.repeat(70))).toEqual([70]);
    expect(analyse('ë'.repeat(71))).toEqual({ encoding: 'ucs2', characters: 71, units: 71, segments: 2, perSegment: 67 });
    expect(partLengths('ë'.repeat(71))).toEqual([67, 4]);
  });

  it('switches the whole text to UCS-2 for one non-GSM character', () => {
    const text = 'a'.repeat(100) + 'ë';
    expect(analyse(text)).toEqual({ encoding: 'ucs2', characters: 101, units: 101, segments: 2, perSegment: 67 });
    expect(partLengths(text)).toEqual([67, 34]);
  });

  it('counts an emoji as one character and two units', () => {
    expect(analyse('😀')).toEqual({ encoding: 'ucs2', characters: 1, units: 2, segments: 1, perSegment: 70 });
    expect(analyse('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(analyse('😀'.repeat(36))).toMatchObject({ units: 72, segments: 2 });
    // 33 emoji (66 units) per part: the 34th would make 68.
    expect(partLengths('😀'.repeat(36))).toEqual([66, 6]);
  });

  it('moves an emoji that would straddle the 67-unit boundary whole to the next part', () => {
    const text = 'ë'.repeat(66) + '😀' + 'x'.repeat(5);
    expect(analyse(text)).toEqual({ encoding: 'ucs2', characters: 72, units: 73, segments: 2, perSegment: 67 });
    expect(splitParts(text)).toEqual(['ë'.repeat(66), '😀xxxxx']);
    expect(encodeUcs2(splitParts(text)[1] ?? '')).toHaveLength(14);
  });
});

describe('splitParts always joins back to the text', () => {
  const samples = [
    '',
    'Hello',
    'a'.repeat(161),
    'a'.repeat(152) + '€' + 'b'.repeat(400),
    '€'.repeat(500),
    '{[~]}'.repeat(90),
    'ë'.repeat(66) + '😀' + 'x'.repeat(200),
    '😀'.repeat(150),
    'Noël 🎄 '.repeat(40),
    'a😀'.repeat(100),
  ];
  it.each(samples.map((text, i) => [i, text] as const))('sample %i', (_i, text) => {
    const parts = splitParts(text);
    expect(parts.join('')).toBe(text);
    expect(parts).toHaveLength(analyse(text).segments);
    if (parts.length > 1) {
      const limit = encodingOf(text) === 'gsm7' ? 153 : 67;
      for (const part of parts) {
        expect(part.length).toBeGreaterThan(0);
        expect(analyse(part).units).toBeLessThanOrEqual(limit);
        expect(part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/); // no lone surrogate at an edge
      }
    }
  });
});

describe('encodeGsm7', () => {
  it('writes one septet per byte and an extension character as ESC + code', () => {
    expect(bytes(encodeGsm7('@£€'))).toEqual([0x00, 0x01, 0x1b, 0x65]);
    expect(bytes(encodeGsm7('Aa0 \n\r'))).toEqual([0x41, 0x61, 0x30, 0x20, 0x0a, 0x0d]);
    expect(bytes(encodeGsm7('{}[]~|\\^\f'))).toEqual([
      0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x3c, 0x1b, 0x3e, 0x1b, 0x3d, 0x1b, 0x40, 0x1b, 0x2f, 0x1b, 0x14, 0x1b, 0x0a,
    ]);
  });

  it('places the non-ASCII basic characters at their septet values', () => {
    expect(bytes(encodeGsm7('ÇΔ_ΞÆæß\u00C9\u00A4¡ÄÖÑ\u00DC\u00A7¿äöñüà'))).toEqual([
      0x09, 0x10, 0x11, 0x1a, 0x1c, 0x1d, 0x1e, 0x1f, 0x24, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x7b, 0x7c,
      0x7d, 0x7e, 0x7f,
    ]);
    expect(bytes(encodeGsm7('$¥èéùìòØøÅå'))).toEqual([0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x0f]);
  });

  it('encodes the whole basic set (all but ESC) to 0x00-0x7F', () => {
    const basic =
      '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑ\u00DC\u00A7¿abcdefghijklmnopqrstuvwxyzäöñüà';
    const expected = Array.from({ length: 128 }, (_, septet) => septet).filter((septet) => septet !== 0x1b);
    expect(bytes(encodeGsm7(basic))).toEqual(expected);
  });

  it('throws on a character outside the GSM alphabet', () => {
    expect(() => encodeGsm7('Noël')).toThrow(/U\+00EB at index 2/);
    expect(() => encodeGsm7('ok 😀')).toThrow(/U\+1F600/);
    expect(() => encodeGsm7('\u001b')).toThrow(RangeError);
  });
});

describe('encodeUcs2', () => {
  it('writes UTF-16 big-endian, an emoji as its surrogate pair', () => {
    expect(bytes(encodeUcs2('é'))).toEqual([0x00, 0xe9]);
    expect(bytes(encodeUcs2('Aë€'))).toEqual([0x00, 0x41, 0x00, 0xeb, 0x20, 0xac]);
    expect(bytes(encodeUcs2('😀'))).toEqual([0xd8, 0x3d, 0xde, 0x00]);
    expect(bytes(encodeUcs2(''))).toEqual([]);
  });
});
