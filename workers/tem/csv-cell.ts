// CSV output cells. Local to TEM until the shared helper (workers/core/csv-out.ts) lands:
// text that a spreadsheet would run as a formula (= + - @, tab, CR) is prefixed with ',
// and a cell holding the separator, a quote or a line break is quoted.
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: string, separator: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number cell: never neutralised (a negative amount stays a number), decimal comma for Dutch Excel. */
export const csvNumber = (decimal: string, decimalComma: boolean) => (decimalComma ? decimal.replace('.', ',') : decimal);
