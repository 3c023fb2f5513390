// Issue 9, item 8: every CSV the platform writes neutralises values a spreadsheet would run.
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../workers/core/csv-out.js';

describe('CSV out', () => {
  it.each([
    ['=cmd|\' /C calc\'!A0', `'=cmd|' /C calc'!A0`],
    ['+31612345678', `'+31612345678`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("https://evil.example","x")', `"'=HYPERLINK(""https://evil.example"",""x"")"`],
  ])('neutralises %j', (value, cell) => expect(csvCell(value)).toBe(cell));

  it('quotes commas, quotes and line breaks, and leaves plain text and numbers alone', () => {
    expect(csvCell('Jansen, J.')).toBe('"Jansen, J."');
    expect(csvCell('zei "hoi"')).toBe('"zei ""hoi"""');
    expect(csvCell('regel\nregel')).toBe('"regel\nregel"');
    expect(csvCell('Gemeente Voorbeeld')).toBe('Gemeente Voorbeeld');
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', 1, '=b', undefined])).toBe("a,1,'=b,\r\n");
  });
});
