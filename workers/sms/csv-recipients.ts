// CSV recipients, streamed: a header row, then one recipient per row. `phone` and `email`
// columns are the addresses; every other column becomes a personalisation field, within the
// limits of the JSON route (recipient-limits.ts).
import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { InvalidFieldError } from '../core/domain-errors.js';
import { FIELD_NAME, FIELD_NAME_RULE, MAX_CSV_ROW, MAX_FIELDS, maxValueOf } from './recipient-limits.js';
import type { RecipientInput } from './validate.js';

/** What is wrong with the file, and where: answered 400 (413 when too large) on body.file. */
export class CsvProblem extends InvalidFieldError {
  constructor(problem: string, line: number | null, tooLarge = false) {
    const where = line !== null ? `${problem} at line ${line}` : problem;
    super('body.file', where, `The CSV has ${where}.`, tooLarge);
  }
}

function toRecipient(row: Record<string, string>, index: number): RecipientInput {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(row)) {
    if (value.length > maxValueOf(name)) throw new CsvProblem(`a value longer than ${maxValueOf(name)} characters in column ${name} at data row ${index}`, null);
    if (name !== 'phone' && name !== 'email' && value !== '') fields[name] = value;
  }
  return { phone: row.phone || null, email: row.email || null, fields: Object.keys(fields).length > 0 ? fields : null };
}

/** The header's names, lowercased; a column without a name is skipped (false). Refuses names a template cannot use. */
function columnNames(header: string[]): (string | false)[] {
  const names = header.map((h) => h.trim().toLowerCase());
  if (!names.includes('phone') && !names.includes('email')) throw new CsvProblem('the header row needs a phone or an email column', 1);
  const fields = names.filter((name) => name !== '' && name !== 'phone' && name !== 'email');
  if (fields.length > MAX_FIELDS) throw new CsvProblem(`more than ${MAX_FIELDS} field columns`, 1);
  const bad = names.findIndex((name) => name !== '' && !FIELD_NAME.test(name));
  if (bad >= 0) throw new CsvProblem(`a column name that is not ${FIELD_NAME_RULE} (column ${bad + 1})`, 1);
  return names.map((name) => name || false);
}

/** csv-parse's own errors, without a value: the row too long names the column it was reading. */
function fromCsvError(error: CsvError): CsvProblem {
  const { lines, column } = error as CsvError & { lines?: number; column?: unknown };
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new CsvProblem(`a row longer than ${MAX_CSV_ROW} characters${typeof column === 'string' ? ` (in column ${column})` : ''}`, lines ?? null);
  }
  return new CsvProblem(`malformed CSV (${error.code})`, lines ?? null);
}

/**
 * Yields slices of recipients, never holding more than one slice of the file in memory. The
 * input is piped with pipeline(), so its own error (an upload cut off, a client gone) ends
 * the loop; on any failure the input is destroyed: the caller drops the rest of the upload.
 */
export async function* csvRecipientSlices(input: Readable, sliceSize: number, maxRows: number): AsyncGenerator<RecipientInput[]> {
  const parser = pipeline(
    input,
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_CSV_ROW,
      columns: columnNames,
    }),
    // Errors reach the loop below through the parser; nothing more to do with them here.
    () => undefined,
  );
  let slice: RecipientInput[] = [];
  let rows = 0;
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      rows += 1;
      if (rows > maxRows) throw new CsvProblem(`more than ${maxRows} rows`, null, true);
      slice.push(toRecipient(row, rows - 1));
      if (slice.length === sliceSize) {
        yield slice;
        slice = [];
      }
    }
  } catch (error) {
    if (error instanceof CsvProblem) throw error;
    if (error instanceof CsvError) throw fromCsvError(error);
    if (error === input.errored) throw new CsvProblem('no end: the upload stopped inside the file', null);
    throw error;
  }
  if (slice.length > 0) yield slice;
}
