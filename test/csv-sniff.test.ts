// The one CSV reader of every family (workers/core/csv-sniff.ts), on the bytes Dutch Excel
// writes. The SMS and TEM tests encode their files with Buffer's 'latin1', which has no byte
// 0x80-0x9F: there Windows-1252 and ISO-8859-1 differ (€ ’ “ ” – …), and a reader of the wrong
// one would still pass them. These bytes are what tell the two apart.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { charsetName, decodeText, detectSeparator, EncodingProblem, sniffCsv } from '../workers/core/csv-sniff.js';

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
  });

  it('keeps UTF-8 with a BOM as UTF-8, and a UTF-8 € as one character', async () => {
    const { text, encoding } = await read(Buffer.from('\uFEFFnaam;bedrag\n’t Hart;€ 3\n'), 2);
    expect(encoding).toBe('utf-8');
    expect(text.replace(/^\uFEFF/, '')).toBe('naam;bedrag\n’t Hart;€ 3\n');
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
});
