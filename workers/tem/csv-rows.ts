// The rows of a CSV as arrays of cells, streamed: the separator (';', ',' or tab) is read
// from the header line (workers/core/csv-sniff.ts), the rest goes through csv-parse. Line
// numbers count the header as 1.
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { sniffCsv } from '../core/csv-sniff.js';

export class CsvLayoutProblem extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'CsvLayoutProblem';
  }
}

export interface CsvRows {
  readonly separator: string;
  readonly header: string[];
  /** Data rows with their line numbers; rows of empty cells are skipped. */
  readonly rows: AsyncGenerator<{ cells: string[]; line: number }>;
}

export async function csvRows(text: AsyncIterable<string>): Promise<CsvRows> {
  const { separator, empty, text: pieces } = await sniffCsv(text);
  if (empty) throw new CsvLayoutProblem('empty-file');
  // pipeline(): an error of the text (an encoding problem) reaches the loop through the parser.
  const records = pipeline(Readable.from(pieces, { highWaterMark: 1 }), parse({ delimiter: separator, relax_column_count: true, relax_quotes: true }), () => undefined);
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
