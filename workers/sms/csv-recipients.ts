// CSV recipients, streamed: a header row, then one recipient per row. `phone` and `email`
// columns are the addresses; every other column becomes a personalisation field.
import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { RecipientInput } from './validate.js';

export class CsvProblem extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'CsvProblem';
  }
}

function toRecipient(row: Record<string, string>): RecipientInput {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(row)) if (name !== 'phone' && name !== 'email' && value !== '') fields[name] = value;
  return { phone: row.phone || null, email: row.email || null, fields: Object.keys(fields).length > 0 ? fields : null };
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
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim().toLowerCase());
        if (!names.includes('phone') && !names.includes('email')) throw new CsvProblem('the header row needs a phone or an email column', 1);
        return names;
      },
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
      slice.push(toRecipient(row));
      if (slice.length === sliceSize) {
        yield slice;
        slice = [];
      }
    }
  } catch (error) {
    if (error instanceof CsvProblem) throw error;
    if (error instanceof CsvError) throw new CsvProblem(`malformed CSV (${error.code})`, (error as CsvError & { lines?: number }).lines ?? null);
    if (error === input.errored) throw new CsvProblem('no end: the upload stopped inside the file', null);
    throw error;
  }
  if (slice.length > 0) yield slice;
}
