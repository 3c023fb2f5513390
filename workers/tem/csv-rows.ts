// The rows of a CSV as arrays of cells, streamed: the separator (';', ',' or tab) is read
// from the header line, the rest goes through csv-parse. Line numbers count the header as 1.
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';

export class CsvLayoutProblem extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'CsvLayoutProblem';
  }
}

const SEPARATORS = [';', ',', '\t'] as const;

/** The separator the header line uses most (outside quotes). */
export function detectSeparator(headerLine: string): string {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  const counts = SEPARATORS.map((s) => unquoted.split(s).length - 1);
  const best = Math.max(...counts);
  return best === 0 ? ';' : (SEPARATORS[counts.indexOf(best)] ?? ';');
}

/** Text is handed to the parser in pieces this long: the rows one piece makes stay few (bounded memory). */
const PIECE_CHARS = 64 * 1024;

async function* prepend(first: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  let text = first;
  for (;;) {
    for (let at = 0; at < text.length; at += PIECE_CHARS) yield text.slice(at, at + PIECE_CHARS);
    const next = await rest.next();
    if (next.done) return;
    text = next.value;
  }
}

export interface CsvRows {
  readonly separator: string;
  readonly header: string[];
  /** Data rows with their line numbers; rows of empty cells are skipped. */
  readonly rows: AsyncGenerator<{ cells: string[]; line: number }>;
}

export async function csvRows(text: AsyncIterable<string>): Promise<CsvRows> {
  const source = text[Symbol.asyncIterator]();
  let head = '';
  while (!/[\r\n]/.test(head)) {
    const next = await source.next();
    if (next.done) break;
    head += next.value;
  }
  head = head.replace(/^\uFEFF/, '');
  if (head.trim() === '') throw new CsvLayoutProblem('empty-file');
  const separator = detectSeparator(head.split(/\r?\n/, 1)[0] ?? '');
  // pipeline(): an error of the text (an encoding problem) reaches the loop through the parser.
  const records = pipeline(Readable.from(prepend(head, source), { highWaterMark: 1 }), parse({ delimiter: separator, relax_column_count: true, relax_quotes: true }), () => undefined);
  const iterator = (records as AsyncIterable<string[]>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new CsvLayoutProblem('empty-file');
  async function* rows() {
    let line = 1;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      line += 1;
      if (next.value.every((cell) => cell.trim() === '')) continue;
      yield { cells: next.value, line };
    }
  }
  return { separator, header: first.value, rows: rows() };
}
