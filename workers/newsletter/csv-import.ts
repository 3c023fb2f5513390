// Subscribers from a CSV, streamed (issue 14): UTF-8 (with or without BOM), Windows-1252 as
// Dutch Excel saves it, or UTF-16 after its BOM (core/csv-sniff.ts), `;`, `,` or tab read from the header by the row
// reader TEM's call details use too (core/csv-rows.ts).
// The header needs an `email` column (`e-mail`, `e-mailadres` too); `name` (`naam`) is the
// name; `language` (`taal`) the subscriber's language (nl, en; empty: the list's); every other
// named column is a free attribute. Rows go to importSubscribers a slice at
// a time, so memory holds one slice, however long the file; reasons are kept for the first
// MAX_REASONS rows refused, the counts for all. Row numbers are the file's data rows, from 1.
import type { Kysely } from 'kysely';
import type { Database, LegalBasis, SubscriberAttributes } from '../../db/schema.js';
import { InvalidFieldError } from '../core/domain-errors.js';
import { csvRows, CsvLayoutProblem } from '../core/csv-rows.js';
import { decodeText, EncodingProblem } from '../core/csv-sniff.js';
import { importSubscribers, type ImportResult, type ImportRow, type ImportTarget } from './import.js';

export const MAX_CSV_ROWS = 1_000_000;
const SLICE = 5_000;
const MAX_REASONS = 1_000;
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/;
const EMAIL = new Set(['email', 'e-mail', 'e-mailadres', 'emailadres', 'email address']);
const NAME = new Set(['name', 'naam']);
const LANGUAGE = new Set(['language', 'taal']);

/** The first `max` UTF-16 units of `text`, one fewer rather than half a surrogate pair (a lone half is refused by jsonb). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

const problem = (message: string, tooLarge = false) => new InvalidFieldError('body', message, `The CSV has ${message}.`, tooLarge);

/** What the CSV has that its encoding does not allow, as the sentence's end. */
function encodingProblem(error: EncodingProblem): string {
  if (error.source === 'sniffed') return 'a mix of UTF-8 and another encoding';
  if (error.source === 'unsupported') return `a byte order mark of ${error.encoding}, which is not read: save it as CSV UTF-8`;
  return `text that is not valid ${error.encoding} (${error.source === 'bom' ? 'as its byte order mark says' : 'the charset it was sent with'})`;
}

function columnsOf(header: string[]): { email: number; name: number; language: number; attributes: [number, string][] } {
  const names = header.map((h) => h.trim());
  const email = names.findIndex((n) => EMAIL.has(n.toLowerCase()));
  if (email < 0) throw problem('no email column in its header row');
  const name = names.findIndex((n) => NAME.has(n.toLowerCase()));
  const language = names.findIndex((n) => LANGUAGE.has(n.toLowerCase()));
  const attributes = names.flatMap((n, i): [number, string][] => (i !== email && i !== name && i !== language && n !== '' ? [[i, n]] : []));
  const bad = attributes.find(([, n]) => !ATTRIBUTE.test(n));
  if (bad) throw problem(`a column name that is not letters, digits and _ (column ${bad[0] + 1})`);
  if (attributes.length > 50) throw problem('more than 50 attribute columns');
  return { email, name, language, attributes };
}

export async function importCsv(
  db: Kysely<Database>,
  target: ImportTarget,
  bytes: AsyncIterable<Buffer>,
  consent: { basis: LegalBasis; privacyStatement: string },
  suppressionKey: string,
  /** The charset the sender named (Content-Type's parameter); by default UTF-8, Windows-1252 or UTF-16 as the bytes say. */
  charset: string | null = null,
): Promise<ImportResult> {
  const total: ImportResult = { added: 0, updated: 0, suppressed: 0, invalid: 0, rejected: [] };
  const flush = async (slice: ImportRow[], firstRow: number) => {
    const result = await importSubscribers(db, target, slice, consent, suppressionKey);
    total.added += result.added;
    total.updated += result.updated;
    total.suppressed += result.suppressed;
    total.invalid += result.invalid;
    for (const r of result.rejected) if (total.rejected.length < MAX_REASONS) total.rejected.push({ row: r.row + firstRow - 1, reason: r.reason });
  };
  try {
    const { header, rows } = await csvRows(decodeText(bytes, charset));
    const columns = columnsOf(header);
    let slice: ImportRow[] = [];
    let count = 0;
    for await (const { cells } of rows) {
      count += 1;
      if (count > MAX_CSV_ROWS) throw problem(`more than ${MAX_CSV_ROWS} rows`, true);
      const attributes: SubscriberAttributes = {};
      for (const [i, n] of columns.attributes) if ((cells[i] ?? '') !== '') attributes[n] = cut(cells[i] ?? '', 1000);
      const name = columns.name >= 0 ? cut((cells[columns.name] ?? '').trim(), 200) : '';
      const language = columns.language >= 0 ? (cells[columns.language] ?? '').slice(0, 20) : '';
      slice.push({ email: cut(cells[columns.email] ?? '', 320), name: name || undefined, attributes, language });
      if (slice.length === SLICE) {
        await flush(slice, count - slice.length + 1);
        slice = [];
      }
    }
    if (slice.length > 0) await flush(slice, count - slice.length + 1);
    return total;
  } catch (error) {
    if (error instanceof EncodingProblem) throw problem(encodingProblem(error));
    if (error instanceof CsvLayoutProblem) throw problem(`a layout problem (${error.code})`);
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('CSV_')) throw problem(`malformed CSV (${error.code})`);
    throw error;
  }
}
