// A call-detail file, read as a stream: its layout placed by the profile, each row normalised;
// calls become COPY lines, period charges (no call time) and refusals are collected.
import type { TemUploadError } from '../../db/schema.js';
import type { Window } from './windows.js';
import { CallRollup, instantOrder } from './call-rollup.js';
import { CopyBuffers, copyLine, copyPrefix } from './copy-format.js';
import { csvRows, type CsvRows } from '../core/csv-rows.js';
import { normaliser, type Canonical } from './normalise.js';
import { placeColumns, type Profile } from './profile.js';

export const MAX_REPORTED_ERRORS = 100;
/** COPY text is handed on in pieces of about this many bytes. */
const BYTES_PER_WRITE = 256 * 1024;

export interface CdrTally {
  dataRows: number;
  stored: number;
  refused: number;
  readonly errors: TemUploadError[];
  readonly charges: Canonical[];
  /** Per number, the latest holder name and carrier cost centre seen. */
  readonly subscriptions: Map<string, { userName: string | null; hint: string | null }>;
  /** The latest call stored (the raw file's retention clock), and the earliest. */
  latestCall: string | null;
  earliestCall: string | null;
  /** The latest call time in the file, stored or not: it names the export's period. */
  latestDated: string | null;
  /** The calls stored, summed as the cost report's rollup holds them. */
  readonly calls: CallRollup;
}

export type Layout = { ok: true; rows: CsvRows['rows']; batches: CsvRows['batches']; normalise: ReturnType<typeof normaliser> } | { ok: false; errors: TemUploadError[] };

/** Reads the header and places its columns; an unknown layout names what it could not place. */
export async function openCdr(text: AsyncIterable<string>, profile: Profile): Promise<Layout> {
  const csv = await csvRows(text);
  const placed = placeColumns(profile, csv.header);
  if (!placed.ok) {
    await csv.batches.return(undefined);
    const errors = [
      ...placed.duplicated.map((column) => ({ line: 1, code: 'duplicate-column', column })),
      ...placed.missing.map((column) => ({ line: 1, code: 'missing-column', column })),
      // The columns it could not place explain a column missing; beside only a duplicate they are noise.
      ...(placed.missing.length > 0 ? placed.unplaced.map((column) => ({ line: 1, code: 'unknown-column', column })) : []),
    ];
    return { ok: false, errors };
  }
  const style = { mark: csv.separator === ',' ? ('.' as const) : (',' as const), learnt: false };
  return { ok: true, rows: csv.rows, batches: csv.batches, normalise: normaliser(profile, placed.columns, style) };
}

export function newTally(): CdrTally {
  return { dataRows: 0, stored: 0, refused: 0, errors: [], charges: [], subscriptions: new Map(), latestCall: null, earliestCall: null, latestDated: null, calls: new CallRollup() };
}

export function refuse(tally: CdrTally, error: TemUploadError): void {
  tally.refused += 1;
  if (tally.errors.length < MAX_REPORTED_ERRORS) tally.errors.push(error);
}

/** Remembers the latest holder name and cost-centre hint per number, updating in place. */
function noteSubscription(tally: CdrTally, record: Canonical): void {
  const known = tally.subscriptions.get(record.msisdn);
  if (!known) tally.subscriptions.set(record.msisdn, { userName: record.userName, hint: record.costCentreHint });
  else {
    if (record.userName !== null) known.userName = record.userName;
    if (record.costCentreHint !== null) known.hint = record.costCentreHint;
  }
}

/**
 * A carrier's closing total ("Totaal", "Subtotaal", "Eindtotaal", "Total amount"): its first
 * filled cell says so. Such a row without a number is no call when nothing follows it; one
 * followed by data rows is refused as any row without a number is.
 */
const TOTAL = /^(?:sub|eind|grand )?tota(?:a)?l\b/i;
const looksLikeTotal = (cells: readonly string[]) => TOTAL.test(cells.find((cell) => cell.trim() !== '')?.trim() ?? '');

/** Yields COPY text for the calls of the file, tallying everything else as it goes. */
export async function* copyText(layout: Extract<Layout, { ok: true }>, ids: { organizationId: string; uploadId: string }, window: Window, tally: CdrTally, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const prefix = copyPrefix(ids.organizationId, ids.uploadId);
  const out = new CopyBuffers(BYTES_PER_WRITE);
  /** A total row without a number, held until the file ends (skipped) or a row follows it (refused). */
  let total: TemUploadError | null = null;
  for await (const { cells: rows, lines } of layout.batches) {
    for (let i = 0; i < rows.length; i++) {
      const line = lines[i] ?? 0;
      if (total) {
        tally.dataRows += 1;
        refuse(tally, total);
        total = null;
      }
      const result = layout.normalise(rows[i] ?? [], line);
      if (!result.ok && result.code === 'invalid-number' && looksLikeTotal(rows[i] ?? [])) {
        total = { line: result.line, code: result.code, column: 'msisdn' };
        continue;
      }
      tally.dataRows += 1;
      if (!result.ok) {
        refuse(tally, result.column ? { line: result.line, code: result.code, column: result.column } : { line: result.line, code: result.code });
        continue;
      }
      const record = result.record;
      const start = record.startLocal;
      if (start !== null && (tally.latestDated === null || start > tally.latestDated)) tally.latestDated = start;
      if (start !== null && start < window.from) refuse(tally, { line, code: 'past-retention' });
      else if (start !== null && start >= window.until) refuse(tally, { line, code: 'too-far-ahead' });
      else {
        tally.stored += 1;
        noteSubscription(tally, record);
        if (start === null) tally.charges.push(record);
        else {
          // By instant: a zoned time in the hour the clocks go back carries its offset (values.ts zonedLocal).
          const order = instantOrder(start);
          if (tally.latestCall === null || order > instantOrder(tally.latestCall)) tally.latestCall = start;
          if (tally.earliestCall === null || order < instantOrder(tally.earliestCall)) tally.earliestCall = start;
          out.add(copyLine(prefix, record, start));
          tally.calls.add(record, start);
        }
      }
    }
    for (const buffer of out.take()) {
      signal?.throwIfAborted();
      yield buffer;
    }
  }
  yield* out.take(true);
}
