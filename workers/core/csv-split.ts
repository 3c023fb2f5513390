// The fast path of the CSV reader: a line without a quote is split on the separator, which is
// what csv-parse makes of it; consecutive lines with quotes go through csv-parse (sync) as one
// piece. Where that piece ends inside a quoted field (a cell spanning lines, a stray opening
// quote) the splitter stops and hands the rest of the file to the streaming csv-parse, so the
// records are those csv-parse alone would give, always. test/tem-csv-split.test.ts checks it.
import { parse } from 'csv-parse/sync';

/**
 * The longest record (line) read, in characters: a call-detail line is about 200, a subscriber's
 * with 50 attributes a few tens of thousands. A longer one ends the read with CSV_MAX_RECORD_SIZE,
 * as csv-parse's own max_record_size does: a 20 MB file of one line took 85 s of CPU (each piece
 * appended to the unfinished line and searched again from its start), 200 MB would take hours.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** The error csv-parse raises for a record past max_record_size, raised for the lines this splitter reads too. */
export function recordTooLarge(): Error & { code: string } {
  return Object.assign(new Error(`a record longer than ${MAX_RECORD_CHARS} characters`), { code: 'CSV_MAX_RECORD_SIZE' });
}

/** csv-parse's options for every reader of a CSV (csv-rows.ts) (the record delimiter as it discovered it). */
export const csvParseOptions = (separator: string, recordDelimiter?: string) => ({
  delimiter: separator,
  relax_column_count: true,
  relax_quotes: true,
  max_record_size: MAX_RECORD_CHARS,
  ...(recordDelimiter === undefined ? {} : { record_delimiter: recordDelimiter }),
});

/**
 * The record delimiter csv-parse discovers: the first line break of a text that has no quote
 * before it ('\r\n', '\n' or a lone '\r'); undefined while the text cannot tell yet.
 */
export function recordDelimiterOf(text: string, ended: boolean): string | undefined {
  const at = text.search(/[\r\n]/);
  if (at < 0) return undefined;
  if (text[at] === '\n') return '\n';
  if (at + 1 < text.length) return text[at + 1] === '\n' ? '\r\n' : '\r';
  return ended ? '\r' : undefined;
}

export class RecordSplitter {
  private carry = '';
  /** Text from where csv-parse must take over, once a quoted piece did not end cleanly. */
  handover: string | null = null;

  constructor(
    private readonly separator: string,
    private readonly delimiter: string,
  ) {}

  /** Appends the records of the complete lines of `text` to `out`; the unfinished last line waits for the next. */
  feed(text: string, out: string[][]): void {
    if (this.handover !== null) {
      this.handover += text;
      return;
    }
    const all = this.carry === '' ? text : this.carry + text;
    this.carry = this.splitLines(all, out, false);
    if (this.carry.length > MAX_RECORD_CHARS) throw recordTooLarge();
  }

  /** The records of what is left at the end of the file. */
  end(out: string[][]): void {
    if (this.handover !== null || this.carry === '') return;
    const rest = this.carry;
    this.carry = '';
    this.splitLines(rest, out, true);
  }

  /** Splits `text` into records up to its last line break (or wholly at the end); returns what is left. */
  private splitLines(text: string, out: string[][], ended: boolean): string {
    const { separator, delimiter } = this;
    let pos = 0;
    let quote = text.indexOf('"');
    for (;;) {
      let stop = text.indexOf(delimiter, pos);
      if (stop < 0) {
        if (!ended || pos >= text.length) return text.slice(pos);
        stop = text.length;
      }
      if (quote < 0 || quote >= stop) {
        out.push(text.slice(pos, stop).split(separator));
        pos = stop + delimiter.length;
        continue;
      }
      // Lines with quotes, as many as follow each other, read by csv-parse in one go.
      let end = stop + delimiter.length;
      for (;;) {
        quote = text.indexOf('"', end);
        const next = text.indexOf(delimiter, end);
        if (quote < 0 || next < 0 || quote >= next) break;
        end = next + delimiter.length;
      }
      if (!this.quoted(text.slice(pos, Math.min(end, text.length)), out)) {
        this.handover = text.slice(pos);
        return '';
      }
      pos = end;
      if (pos >= text.length) return '';
    }
  }

  private quoted(piece: string, out: string[][]): boolean {
    let records: string[][];
    try {
      records = parse(piece, csvParseOptions(this.separator, this.delimiter));
    } catch {
      return false;
    }
    for (const record of records) out.push(record);
    return true;
  }
}
