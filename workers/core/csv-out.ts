// Every CSV the platform writes out (reports to members, TEM exports) goes through here: a
// text value that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
// carriage return first) gets a leading `'`, and values are quoted as RFC 4180 says.
// Numbers are written as numbers: -12.50 stays a number, never text.

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: a formula-looking text neutralised, quoted when it holds a quote, a comma or a line break. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, ended by CRLF (RFC 4180). */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
