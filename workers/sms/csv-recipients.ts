// CSV recipients, streamed: a header row, then one recipient per row; the encoding and the
// separator (Excel's `sep=` first line too) are found as workers/core/csv-sniff.ts does for
// every CSV. `phone` and `email`
// columns are the addresses; every other column becomes a personalisation field, within the
// limits of the JSON route (recipient-limits.ts).
import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { decodeText, EncodingProblem, sniffCsv, type CsvSeparator, type DecodedText } from '../core/csv-sniff.js';
import { InvalidFieldError } from '../core/domain-errors.js';
import { FIELD_NAME, FIELD_NAME_RULE, MAX_CSV_ROW, MAX_FIELDS, maxValueOf } from './recipient-limits.js';
import { SliceBuffers } from './slice-buffers.js';
import type { RecipientInput } from './validate.js';

/** What is wrong with the file, as a sentence, and the line: answered 400 (413 when too large) on body.file. */
export class CsvProblem extends InvalidFieldError {
  constructor(sentence: string, line: number | null, tooLarge = false) {
    const where = line !== null ? `${sentence} (line ${line})` : sentence;
    super('body.file', where, `${where}.`, tooLarge);
  }
}

function toRecipient(row: Record<string, string>, index: number): RecipientInput {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(row)) {
    if (value.length > maxValueOf(name)) throw new CsvProblem(`A value in column ${name} is longer than ${maxValueOf(name)} characters (data row ${index})`, null);
    if (name !== 'phone' && name !== 'email' && value !== '') fields[name] = value;
  }
  return { phone: row.phone || null, email: row.email || null, fields: Object.keys(fields).length > 0 ? fields : null };
}

/** The header's names, lowercased; a column without a name is skipped (false). Refuses names a template cannot use. `line`: the header's in the file. */
function columnNames(header: string[], line: number): (string | false)[] {
  const names = header.map((h) => h.trim().toLowerCase());
  if (!names.includes('phone') && !names.includes('email')) throw new CsvProblem('The header row needs a phone or an email column', line);
  const fields = names.filter((name) => name !== '' && name !== 'phone' && name !== 'email');
  if (fields.length > MAX_FIELDS) throw new CsvProblem(`The header row has more than ${MAX_FIELDS} field columns`, line);
  const bad = names.findIndex((name) => name !== '' && !FIELD_NAME.test(name));
  if (bad >= 0) throw new CsvProblem(`Column ${bad + 1} of the header row has a name that is not ${FIELD_NAME_RULE}`, line);
  return names.map((name) => name || false);
}

/** csv-parse's own errors, without a value: the row too long names the column it was reading. `linesBefore`: lines of the file before the text it read (a `sep=` line). */
function fromCsvError(error: CsvError, linesBefore: number): CsvProblem {
  const { lines, column } = error as CsvError & { lines?: number; column?: unknown };
  const line = lines === undefined ? null : lines + linesBefore;
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new CsvProblem(`A row is longer than ${MAX_CSV_ROW} characters${typeof column === 'string' ? `, in column ${column}` : ''}`, line);
  }
  return new CsvProblem(`The file is not well-formed CSV (${error.code})`, line);
}

export interface CsvRecipientsOptions {
  readonly sliceSize: number;
  readonly maxRows: number;
  /** The charset the sender named (a canonical name, see charsetName), or null to tell UTF-8, Windows-1252 and UTF-16 (by its BOM) apart. */
  readonly charset: string | null;
}

function encodingProblem(error: EncodingProblem): CsvProblem {
  if (error.source === 'sniffed') return new CsvProblem('The file mixes UTF-8 with another encoding: save it as "CSV UTF-8", or name its charset', null);
  if (error.source === 'unsupported') return new CsvProblem(`The file is ${error.encoding} (its byte order mark says so), which is not read: save it as "CSV UTF-8"`, null);
  const why = error.source === 'bom' ? 'as its byte order mark says it is (an odd number of bytes, or half a surrogate pair)' : 'the charset it was sent with';
  return new CsvProblem(`The file is not valid ${error.encoding}, ${why}`, null);
}

/**
 * `count` recipients as the UTF-8 JSON text of an array of RecipientInput, in a shared buffer
 * (a pool thread reads it where it is): `release` once that is done, so the reader reuses it.
 */
export interface RecipientSlice {
  readonly count: number;
  readonly json: Uint8Array;
  release(): void;
}

/** A slice's JSON at most: 10,000 usual rows take about 600 KB; a row of the longest (MAX_CSV_ROW, escaped) fits whole. */
const SLICE_BYTES = 2 * 1024 * 1024;
/** Writes rows' JSON into a shared buffer as an array, one slice at a time. */
class SliceWriter {
  // Three slices in flight: one stored, one validated, one read.
  private readonly buffers = new SliceBuffers(SLICE_BYTES, 3);
  private buffer = this.buffers.take();
  private view = Buffer.from(this.buffer);
  private at = 1;
  count = 0;

  /** False when the row does not fit: yield this slice, then add the row to the next. */
  add(json: string): boolean {
    const bytes = Buffer.byteLength(json);
    if (this.count > 0 && this.at + bytes + 1 > SLICE_BYTES) return false;
    this.view[this.at - 1] = this.count === 0 ? 0x5b : 0x2c; // '[' then ','
    this.at += this.view.write(json, this.at);
    this.at += 1;
    this.count += 1;
    return true;
  }

  /** The slice so far, and a fresh writer for the next. */
  slice(): RecipientSlice {
    this.view[this.at - 1] = 0x5d; // ']'
    const buffer = this.buffer;
    const slice = { count: this.count, json: new Uint8Array(buffer, 0, this.at), release: () => this.buffers.give(buffer) };
    this.buffer = this.buffers.take();
    this.view = Buffer.from(this.buffer);
    this.at = 1;
    this.count = 0;
    return slice;
  }
}

/** A CSV of recipients being read; `encoding` and `separator` say how it was read. */
export class CsvRecipients {
  private readonly text: DecodedText;
  separator: CsvSeparator | null = null;

  constructor(
    private readonly input: Readable,
    private readonly options: CsvRecipientsOptions,
  ) {
    this.text = decodeText(input, options.charset);
  }

  get encoding(): string {
    return this.text.encoding;
  }

  /**
   * Yields slices of recipients (at most `sliceSize` rows and SLICE_BYTES of JSON), never holding
   * more than one slice of the file in memory, each as the JSON bytes of its recipients (the pool
   * thread parses them): a row's objects and text are dropped as soon as it is written, so they
   * die young instead of waiting out the slice in the old generation (issue 16). An error of the input (an upload cut off, a client gone) ends the
   * loop; on any failure the input is destroyed: the caller drops the rest of the upload.
   */
  async *slices(): AsyncGenerator<RecipientSlice> {
    const { sliceSize, maxRows } = this.options;
    let linesBefore = 0;
    try {
      const sniffed = await sniffCsv(this.text);
      linesBefore = sniffed.headerLine - 1;
      this.separator = sniffed.separator;
      const parser = pipeline(
        Readable.from(sniffed.text, { highWaterMark: 1 }),
        parse({
          delimiter: sniffed.separator,
          trim: true,
          skip_empty_lines: true,
          relax_column_count: true,
          max_record_size: MAX_CSV_ROW,
          columns: (header: string[]) => columnNames(header, sniffed.headerLine),
        }),
        // Errors reach the loop below through the parser; nothing more to do with them here.
        () => undefined,
      );
      const slice = new SliceWriter();
      let rows = 0;
      for await (const row of parser as AsyncIterable<Record<string, string>>) {
        rows += 1;
        if (rows > maxRows) throw new CsvProblem(`The file has more than ${maxRows} rows`, null, true);
        const json = JSON.stringify(toRecipient(row, rows - 1));
        if (!slice.add(json)) {
          yield slice.slice();
          slice.add(json);
        }
        if (slice.count === sliceSize) yield slice.slice();
      }
      if (slice.count > 0) yield slice.slice();
    } catch (error) {
      // Its own, and the upload's (a part after the file, a file too large): named fields already.
      if (error instanceof InvalidFieldError) throw error;
      if (error instanceof EncodingProblem) throw encodingProblem(error);
      if (error instanceof CsvError) throw fromCsvError(error, linesBefore);
      if (error === this.input.errored) throw new CsvProblem('The upload stopped inside the file', null);
      throw error;
    } finally {
      this.input.destroy();
    }
  }
}
