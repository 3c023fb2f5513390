// The fields of a delivery receipt's text ("id:… sub:… dlvrd:… submit date:… done date:…
// stat:DELIVRD err:000 text:…", SMPP 3.4 appendix B), read by scanning the text in place. They
// were a split at "text:" and a regular expression per field, `(?:^|\s)name:\s*(value)` without
// case (the ones kept in test/sms-receipt-fields.test.ts, which compares the two): their match
// arrays and the split's strings were a tenth of what the SMS worker allocated per message.
// The same rules: a field counts only at the start of the text or after white space (JavaScript's
// \s), the first one whose value reads wins, nothing after the first "text:" is read, names
// match in any case (ASCII letters only, as a non-Unicode /i does).

export interface ReceiptFields {
  /** `id:` then anything up to white space. */
  readonly id: string | undefined;
  /** `stat:` then letters and underscores. */
  readonly stat: string | undefined;
  /** `err:` then letters and digits. */
  readonly err: string | undefined;
  /** `done date:` (also `done_date:`, `donedate:`) then 10 or 12 digits, no more. */
  readonly doneDate: string | undefined;
}

/** JavaScript's \s: what a regular expression's \s matches. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** ASCII letters: what [a-z] matches without case in a non-Unicode expression. */
const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** Whether `word` (lower-case ASCII letters) stands at `i`, in any case, before `end`. */
function wordAt(s: string, i: number, end: number, word: string): boolean {
  if (i + word.length > end) return false;
  for (let k = 0; k < word.length; k++) {
    const c = s.charCodeAt(i + k);
    const w = word.charCodeAt(k);
    if (c !== w && c !== w - 32) return false;
  }
  return true;
}

/** The length of "done date", "done_date" or "donedate" at `i` (any case), else 0. */
function doneDateAt(s: string, i: number, end: number): number {
  if (!wordAt(s, i, end, 'done')) return 0;
  const c = s.charCodeAt(i + 4);
  if ((c === 32 || c === 95) && wordAt(s, i + 5, end, 'date')) return 9;
  return wordAt(s, i + 4, end, 'date') ? 8 : 0;
}

type Kind = 'id' | 'stat' | 'err' | 'done';

/** Where the first `text:` field starts (its white space before it included): the end of what is read. */
function headEnd(s: string): number {
  for (let j = 0; j + 5 <= s.length; j++) {
    if ((j === 0 || isSpace(s.charCodeAt(j - 1))) && wordAt(s, j, s.length, 'text') && s.charCodeAt(j + 4) === 58) return j === 0 ? 0 : j - 1;
  }
  return s.length;
}

/** The value of a `kind` field whose name ends at `i` (at its colon), or undefined when none reads there. */
function valueAt(s: string, i: number, end: number, kind: Kind): string | undefined {
  if (i >= end || s.charCodeAt(i) !== 58) return undefined;
  let start = i + 1;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  let stop = start;
  if (kind === 'id') while (stop < end && !isSpace(s.charCodeAt(stop))) stop++;
  else if (kind === 'stat') while (stop < end && (isLetter(s.charCodeAt(stop)) || s.charCodeAt(stop) === 95)) stop++;
  else if (kind === 'err') while (stop < end && (isLetter(s.charCodeAt(stop)) || isDigit(s.charCodeAt(stop)))) stop++;
  else {
    while (stop < end && isDigit(s.charCodeAt(stop))) stop++;
    if (stop - start !== 10 && stop - start !== 12) return undefined;
  }
  return stop > start ? s.slice(start, stop) : undefined;
}

/** The first `kind` field of s[0, end) whose value reads. */
function field(s: string, end: number, kind: Kind): string | undefined {
  for (let j = 0; j < end; j++) {
    if (j > 0 && !isSpace(s.charCodeAt(j - 1))) continue;
    let nameLength = 0;
    if (kind === 'done') nameLength = doneDateAt(s, j, end);
    else if (wordAt(s, j, end, kind)) nameLength = kind.length;
    if (nameLength === 0) continue;
    const value = valueAt(s, j + nameLength, end, kind);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function receiptFields(text: string): ReceiptFields {
  const end = headEnd(text);
  return { id: field(text, end, 'id'), stat: field(text, end, 'stat'), err: field(text, end, 'err'), doneDate: field(text, end, 'done') };
}
