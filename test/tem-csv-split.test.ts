// The CSV fast path (issue 12, benchmark): the rows csvRows gives, split without csv-parse where a
// line has no quote, are those csv-parse alone gives, record for record and line for line, on
// generated files of every awkward kind, fed in pieces of every size.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { detectSeparator } from '../workers/core/csv-sniff.js';
import { csvRows } from '../workers/core/csv-rows.js';
import { csvParseOptions } from '../workers/core/csv-split.js';
import { seededRandom } from './helpers/seeded-random.js';

async function* pieces(text: string, next: () => number, longest: number) {
  for (let at = 0; at < text.length; ) {
    const size = 1 + Math.floor(next() * longest);
    yield await Promise.resolve(text.slice(at, at + size));
    at += size;
  }
}

type Read = { header: string[]; rows: { cells: string[]; line: number }[] } | { error: string };

/** What the reader did before the fast path: csv-parse over the whole text. */
function reference(text: string): Read {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { error: 'empty-file' };
  const separator = detectSeparator(body.split(/\r?\n/, 1)[0] ?? '');
  let records: string[][];
  try {
    records = parse(body, csvParseOptions(separator));
  } catch (error) {
    return { error: String((error as { code?: string }).code) };
  }
  if (records.length === 0) return { error: 'empty-file' };
  const rows = records.slice(1).map((cells, i) => ({ cells, line: i + 2 })).filter(({ cells }) => cells.some((c) => c.trim() !== ''));
  return { header: records[0] ?? [], rows };
}

async function read(text: string, next: () => number, longest: number): Promise<Read> {
  try {
    const csv = await csvRows(pieces(text, next, longest));
    const rows: { cells: string[]; line: number }[] = [];
    for await (const batch of csv.batches) batch.cells.forEach((cells, i) => rows.push({ cells, line: batch.lines[i] ?? 0 }));
    return { header: csv.header, rows };
  } catch (error) {
    return { error: String((error as { code?: string }).code) };
  }
}

const HEADERS = ['Mobiel nummer;Datum;Bedrag', 'Mobile number,Date,Amount', 'a\tb\tc', '"Mobiel nummer";"Datum";"Bedrag"', '"Mobile\nnumber",Date,Amount'];
const ENDINGS = ['\r\n', '\n', '\r'];
const CELLS = ['0612345678', '1,50', '"Smith, J."', '""', 'a"b', '"x""y"', '"multi\nline"', '"multi\r\nline"', ' ', '', 'Zoë', '"open', 'close"', '"a";b', '\t'];

function generated(next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const header = pick(HEADERS);
  const separator = header.includes('\t') ? '\t' : header.includes(';') ? ';' : ',';
  const ending = pick(ENDINGS);
  const quoteRate = next() < 0.5 ? 0 : next() * 0.3;
  const lines = [header];
  for (let i = 0, count = Math.floor(next() * 30); i < count; i++) {
    const cells = Array.from({ length: Math.floor(next() * 5) }, () => (next() < quoteRate ? pick(CELLS) : pick(CELLS.filter((c) => !c.includes('"')))));
    // Now and then a stray other line ending, which csv-parse reads as part of a cell.
    lines.push(cells.join(separator) + (next() < 0.05 ? pick(ENDINGS) : ''));
  }
  return (next() < 0.2 ? '\uFEFF' : '') + lines.join(ending) + (next() < 0.7 ? ending : '');
}

describe('the CSV fast path', () => {
  it('reads generated files exactly as csv-parse does, in pieces of any size', async () => {
    for (let seed = 1; seed <= 800; seed++) {
      const next = seededRandom(seed);
      const text = generated(next);
      const expected = reference(text);
      for (const longest of [1, 7, 64, 100_000]) expect({ seed, longest, read: await read(text, next, longest) }).toEqual({ seed, longest, read: expected });
    }
  });

  it('reads a file whose last line has no line break, and blank lines in between', async () => {
    const text = 'Mobiel nummer;Bedrag\r\n0612345678;1,50\r\n\r\n;\r\n0612345679;"2,50"';
    expect(await read(text, seededRandom(1), 5)).toEqual(reference(text));
    expect(reference(text)).toEqual({ header: ['Mobiel nummer', 'Bedrag'], rows: [{ cells: ['0612345678', '1,50'], line: 2 }, { cells: ['0612345679', '2,50'], line: 5 }] });
  });
});
