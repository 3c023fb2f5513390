// The rows of a CSV as arrays of cells, streamed in batches: the separator (';', ',' or tab)
// is the one Excel's `sep=` first line names, else read from the header line (csv-sniff.ts).
// Lines are split by csv-split.ts where that gives what csv-parse gives, and read by the
// streaming csv-parse otherwise (a header with quotes, a cell that spans lines). Line numbers
// are the file's: the header is 1 (2 after a `sep=` line). One reader for every CSV intake of
// rows: TEM's call details (tem/cdr-file.ts) and newsletter imports (newsletter/csv-import.ts).
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { detectSeparator, excelSeparatorLine, textPieces } from './csv-sniff.js';
import { MAX_RECORD_CHARS, RecordSplitter, csvParseOptions, recordDelimiterOf, recordTooLarge } from './csv-split.js';

export class CsvLayoutProblem extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'CsvLayoutProblem';
  }
}

/** Text is split in pieces this long: the rows one piece makes stay few (bounded memory). */
const PIECE_CHARS = 16 * 1024;
const prepend = (first: string, rest: AsyncIterator<string>) => textPieces(first, rest, PIECE_CHARS);

/** Records from the streaming csv-parse, a batch per piece of text it is given. */
async function* streamedRecords(text: AsyncIterable<string> | Iterable<string>, options: ReturnType<typeof csvParseOptions>): AsyncGenerator<string[][]> {
  // pipeline(): an error of the text (an encoding problem) reaches the loop through the parser.
  const records = pipeline(Readable.from(text, { highWaterMark: 1 }), parse(options), () => undefined);
  let batch: string[][] = [];
  for await (const record of records as AsyncIterable<string[]>) {
    batch.push(record);
    if (batch.length >= 1_000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Records split by RecordSplitter, a batch per piece; the streaming csv-parse takes over where it must. */
async function* splitRecords(pieces: AsyncIterable<string>, separator: string, delimiter: string): AsyncGenerator<string[][]> {
  const splitter = new RecordSplitter(separator, delimiter);
  const source = pieces[Symbol.asyncIterator]();
  for (let next = await source.next(); ; next = await source.next()) {
    const batch: string[][] = [];
    if (next.done) splitter.end(batch);
    else splitter.feed(next.value, batch);
    if (batch.length > 0) yield batch;
    if (splitter.handover !== null) {
      yield* streamedRecords(next.done ? [splitter.handover] : prepend(splitter.handover, source), csvParseOptions(separator, delimiter));
      return;
    }
    if (next.done) return;
  }
}

/** A batch of data rows: their cells and line numbers, index by index. */
export interface RowBatch {
  readonly cells: string[][];
  readonly lines: number[];
}

export interface CsvRows {
  readonly separator: string;
  readonly header: string[];
  /** Data rows with their line numbers, in batches; rows of empty cells are skipped. */
  readonly batches: AsyncGenerator<RowBatch>;
  /** The same rows one by one (for a reader that wants them so; read either this or `batches`). */
  readonly rows: AsyncGenerator<{ cells: string[]; line: number }>;
}

const blank = (cells: string[]) => {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
};

export async function csvRows(text: AsyncIterable<string>): Promise<CsvRows> {
  const source = text[Symbol.asyncIterator]();
  let head = '';
  let ended = false;
  const readLine = async () => {
    while (recordDelimiterOf(head, ended) === undefined && !ended) {
      const next = await source.next();
      if (next.done) ended = true;
      else head += next.value;
      if (head.length > MAX_RECORD_CHARS && recordDelimiterOf(head, ended) === undefined) throw recordTooLarge();
    }
  };
  await readLine();
  // `sep=;` first: its separator, and the header on the next line (line 2: the rows keep the file's numbers).
  const hint = excelSeparatorLine(head);
  if (hint) {
    head = head.slice(hint.length);
    await readLine();
  }
  head = head.replace(/^\uFEFF/, '');
  if (head.trim() === '') throw new CsvLayoutProblem('empty-file');
  const separator = hint?.separator ?? detectSeparator(head.split(/\r?\n/, 1)[0] ?? '');
  const delimiter = recordDelimiterOf(head, true);
  // A header with quotes: csv-parse discovers the record delimiter (it may sit inside them).
  const records =
    delimiter === undefined || head.slice(0, head.indexOf(delimiter)).includes('"')
      ? streamedRecords(prepend(head, source), csvParseOptions(separator))
      : splitRecords(prepend(head, source), separator, delimiter);
  let first: string[][] = [];
  while (first.length === 0) {
    const next = await records.next();
    if (next.done) throw new CsvLayoutProblem('empty-file');
    first = next.value;
  }
  const header = first[0] ?? [];
  async function* batches(): AsyncGenerator<RowBatch> {
    let line = hint ? 2 : 1;
    let pending: string[][] | undefined = first.slice(1);
    for (;;) {
      const records = pending ?? (await nextRecords());
      pending = undefined;
      if (records === null) return;
      const batch: RowBatch = { cells: [], lines: [] };
      for (const cells of records) {
        line += 1;
        if (blank(cells)) continue;
        batch.cells.push(cells);
        batch.lines.push(line);
      }
      if (batch.cells.length > 0) yield batch;
    }
  }
  async function nextRecords(): Promise<string[][] | null> {
    const next = await records.next();
    return next.done ? null : next.value;
  }
  const all = batches();
  async function* rows() {
    for await (const batch of all) for (let i = 0; i < batch.cells.length; i++) yield { cells: batch.cells[i] ?? [], line: batch.lines[i] ?? 0 };
  }
  return { separator, header, batches: all, rows: rows() };
}
