// The one CSV reader of every family (workers/core/csv-sniff.ts), on the bytes Dutch Excel
// writes. The SMS and TEM tests encode their files with Buffer's 'latin1', which has no byte
// 0x80-0x9F: there Windows-1252 and ISO-8859-1 differ (€ ’ “ ” – …), and a reader of the wrong
// one would still pass them. These bytes are what tell the two apart.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { charsetName, decodeText, detectSeparator, EncodingProblem, sniffCsv } from '../workers/core/csv-sniff.js';
import { utf16 } from './helpers/utf16.js';

/** Windows-1252 bytes of the characters that ISO-8859-1 reads as C1 controls. */
const CP1252: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, '™': 0x99, 'š': 0x9a, 'Ÿ': 0x9f };

/** `text` as Windows-1252 bytes: ASCII and Latin-1 as themselves, the characters above by the table. */
function windows1252(text: string): Buffer {
  return Buffer.from([...text].map((c) => CP1252[c] ?? c.charCodeAt(0)));
}

function pieces(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  const list: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) list.push(bytes.subarray(at, at + size));
  return Readable.from(list);
}

async function read(bytes: Buffer, size = bytes.length, declared: string | null = null): Promise<{ text: string; encoding: string }> {
  const decoded = decodeText(pieces(bytes, size), declared);
  let text = '';
  for await (const piece of decoded) text += piece;
  return { text, encoding: decoded.encoding };
}

const LINE = 'naam;bericht\r\nAnne-Marie ’t Hart;Kosten € 12,50 – “gratis” bezorgd… ™ š Ÿ\r\n';

describe('Windows-1252 as Excel writes it', () => {
  it('reads the bytes 0x80-0x9F as Windows-1252, never as C1 controls or U+FFFD', async () => {
    const { text, encoding } = await read(windows1252(LINE));
    expect(encoding).toBe('windows-1252');
    expect(text).toBe(LINE);
    expect(text).not.toMatch(/[\u0080-\u009f\ufffd]/u);
  });

  it('reads them the same in pieces of every size, the first one cut anywhere', async () => {
    const bytes = windows1252(`${'0612345678;x\r\n'.repeat(40)}${LINE}`);
    for (const size of [1, 2, 3, 7, 64, 511]) expect((await read(bytes, size)).text, `pieces of ${size}`).toBe(bytes.toString('ascii', 0, 560) + LINE);
  });

  it('takes latin1 and iso-8859-1 as Windows-1252, as browsers do, and reads € from them', async () => {
    for (const label of ['latin1', 'ISO-8859-1', 'cp1252', ' windows-1252 ']) expect(charsetName(label), label).toBe('windows-1252');
    expect((await read(windows1252('phone;naam\n0612345678;€ ’\n'), 4, charsetName('latin1'))).text).toBe('phone;naam\n0612345678;€ ’\n');
  });

  it('refuses a UTF-8 file whose later bytes are Windows-1252, rather than guess', async () => {
    const mixed = Buffer.concat([Buffer.from('naam\nZoë\n'), windows1252('€ 5\n')]);
    await expect(read(mixed, 3)).rejects.toBeInstanceOf(EncodingProblem);
    await expect(read(mixed, 3)).rejects.toMatchObject({ source: 'sniffed' });
  });

  it('keeps UTF-8 with a BOM as UTF-8, and a UTF-8 € as one character', async () => {
    const { text, encoding } = await read(Buffer.from('\uFEFFnaam;bedrag\n’t Hart;€ 3\n'), 2);
    expect(encoding).toBe('utf-8');
    expect(text.replace(/^\uFEFF/, '')).toBe('naam;bedrag\n’t Hart;€ 3\n');
  });
});

describe('UTF-16 with a byte order mark, as Excel saves "Unicode text"', () => {
  const TEXT = 'naam\tphone\r\nJosé ’t Hart 😀\t0612345678\r\n';

  it('reads little- and big-endian by their BOM, in pieces of every size, and says which', async () => {
    for (const order of ['le', 'be'] as const) {
      for (const size of [1, 2, 3, 5, 64]) {
        const { text, encoding } = await read(utf16(TEXT, order), size);
        expect(encoding, `${order} in pieces of ${size}`).toBe(`utf-16${order}`);
        expect(text, `${order} in pieces of ${size}`).toBe(TEXT);
      }
    }
    const sniffed = await sniffCsv(decodeText(pieces(utf16(TEXT), 7)));
    expect(sniffed.separator).toBe('\t');
  });

  it('takes charset=utf-16 (any order) with the order its BOM says, and a BOM-less file in the order named', async () => {
    expect(charsetName('utf-16')).toBe('utf-16le');
    expect((await read(utf16(TEXT, 'be'), 3, charsetName('utf-16'))).encoding).toBe('utf-16be');
    expect((await read(utf16(TEXT, 'be'), 3, charsetName('utf-16'))).text).toBe(TEXT);
    expect((await read(Buffer.from(TEXT, 'utf16le'), 3, charsetName('utf-16'))).text).toBe(TEXT);
  });

  it.each([
    ['an odd number of bytes', Buffer.concat([utf16(TEXT), Buffer.from([0x41])])],
    ['an unpaired high surrogate', Buffer.concat([utf16('naam\r\nJos'), Buffer.from([0x3d, 0xd8]), Buffer.from('é\r\n', 'utf16le')])],
    ['an unpaired low surrogate', Buffer.concat([utf16('naam\r\n'), Buffer.from([0x00, 0xde]), Buffer.from('x\r\n', 'utf16le')])],
  ])('refuses %s as not valid UTF-16LE, never a U+FFFD', async (_what, bytes) => {
    const refused = await read(bytes, 3).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EncodingProblem);
    expect(refused).toMatchObject({ encoding: 'utf-16le', source: 'bom' });
  });

  it.each([
    ['utf-32le', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x6e, 0x00, 0x00, 0x00])],
    ['utf-32be', Buffer.from([0x00, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x00, 0x6e])],
  ])('refuses a file with a %s byte order mark by name, not read as UTF-16 with NULs', async (encoding, bytes) => {
    const refused = await read(bytes, 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EncodingProblem);
    expect(refused).toMatchObject({ encoding, source: 'unsupported' });
  });

  it('keeps a file that only looks like UTF-16 without a BOM as before (its NULs are ASCII)', async () => {
    expect((await read(Buffer.from('naam\r\n', 'utf16le'))).encoding).toBe('utf-8');
  });
});

describe('the separator, from the header row', () => {
  it.each([
    ['phone;naam;email', ';'],
    ['phone,naam,email', ','],
    ['phone\tnaam\temail', '\t'],
    ['"naam, voluit";phone', ';'],
    ['"telefoon;mobiel",naam,plaats', ','],
    ['phone', ';'],
  ])('%j: %j', (header, separator) => {
    expect(detectSeparator(header)).toBe(separator);
  });

  it('drops the BOM before the header and gives the whole text back', async () => {
    const sniffed = await sniffCsv(Readable.from(['\uFEFFphone\tna', 'am\r\n0612345678\tAnna\r\n']));
    expect(sniffed.separator).toBe('\t');
    let all = '';
    for await (const piece of sniffed.text) all += piece;
    expect(all).toBe('phone\tnaam\r\n0612345678\tAnna\r\n');
  });

  it("takes Excel's sep= line for the separator and drops it, however the pieces cut it (a CRLF too)", async () => {
    const file = '\uFEFFsep=,\r\nphone;naam;plaats\r\n0612345678,Anna\r\n';
    for (let cut = 1; cut < 24; cut++) {
      const sniffed = await sniffCsv(Readable.from([file.slice(0, cut), file.slice(cut)]));
      expect(sniffed, String(cut)).toMatchObject({ separator: ',', headerLine: 2, empty: false });
      let all = '';
      for await (const piece of sniffed.text) all += piece;
      expect(all, String(cut)).toBe('phone;naam;plaats\r\n0612345678,Anna\r\n');
    }
    expect(await sniffCsv(Readable.from(['phone;naam\n']))).toMatchObject({ separator: ';', headerLine: 1 });
  });
});
