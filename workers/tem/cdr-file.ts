// A call-detail file, read as a stream: its layout placed by the profile, each row normalised;
// calls become COPY lines, period charges (no call time) and refusals are collected.
import type { TemUploadError } from '../../db/schema.js';
import type { Window } from './windows.js';
import { copyLine } from './copy-format.js';
import { csvRows, type CsvRows } from './csv-rows.js';
import { normaliser, type Canonical } from './normalise.js';
import { placeColumns, type Profile } from './profile.js';

export const MAX_REPORTED_ERRORS = 100;
const LINES_PER_WRITE = 500;

export interface CdrTally {
  dataRows: number;
  stored: number;
  refused: number;
  readonly errors: TemUploadError[];
  readonly charges: Canonical[];
  /** Per number, the latest holder name and carrier cost centre seen. */
  readonly subscriptions: Map<string, { userName: string | null; hint: string | null }>;
  /** The latest call stored (the raw file's retention clock). */
  latestCall: string | null;
  /** The latest call time in the file, stored or not: it names the export's period. */
  latestDated: string | null;
}

export type Layout = { ok: true; rows: CsvRows['rows']; normalise: ReturnType<typeof normaliser> } | { ok: false; errors: TemUploadError[] };

/** Reads the header and places its columns; an unknown layout names what it could not place. */
export async function openCdr(text: AsyncIterable<string>, profile: Profile): Promise<Layout> {
  const csv = await csvRows(text);
  const placed = placeColumns(profile, csv.header);
  if (!placed.ok) {
    await csv.rows.return(undefined);
    const errors = [...placed.missing.map((column) => ({ line: 1, code: 'missing-column', column })), ...placed.unplaced.map((column) => ({ line: 1, code: 'unknown-column', column }))];
    return { ok: false, errors };
  }
  const style = { mark: csv.separator === ',' ? ('.' as const) : (',' as const), learnt: false };
  return { ok: true, rows: csv.rows, normalise: normaliser(profile, placed.columns, style) };
}

export function newTally(): CdrTally {
  return { dataRows: 0, stored: 0, refused: 0, errors: [], charges: [], subscriptions: new Map(), latestCall: null, latestDated: null };
}

function refuse(tally: CdrTally, error: TemUploadError): void {
  tally.refused += 1;
  if (tally.errors.length < MAX_REPORTED_ERRORS) tally.errors.push(error);
}

/** Yields COPY text for the calls of the file, tallying everything else as it goes. */
export async function* copyText(layout: Extract<Layout, { ok: true }>, ids: { organizationId: string; uploadId: string }, window: Window, tally: CdrTally, signal?: AbortSignal): AsyncGenerator<string> {
  let lines: string[] = [];
  for await (const { cells, line } of layout.rows) {
    tally.dataRows += 1;
    const result = layout.normalise(cells, line);
    if (!result.ok) {
      refuse(tally, { line: result.line, code: result.code, ...(result.column && { column: result.column }) });
      continue;
    }
    const record = result.record;
    const start = record.startLocal;
    if (start !== null && (tally.latestDated === null || start > tally.latestDated)) tally.latestDated = start;
    if (start !== null && start < window.from) refuse(tally, { line, code: 'past-retention' });
    else if (start !== null && start >= window.until) refuse(tally, { line, code: 'too-far-ahead' });
    else {
      tally.stored += 1;
      const known = tally.subscriptions.get(record.msisdn);
      tally.subscriptions.set(record.msisdn, { userName: record.userName ?? known?.userName ?? null, hint: record.costCentreHint ?? known?.hint ?? null });
      if (start === null) tally.charges.push(record);
      else {
        if (tally.latestCall === null || start > tally.latestCall) tally.latestCall = start;
        lines.push(copyLine(ids.organizationId, ids.uploadId, { ...record, startLocal: start }));
        if (lines.length === LINES_PER_WRITE) {
          signal?.throwIfAborted();
          yield lines.join('');
          lines = [];
        }
      }
    }
  }
  if (lines.length > 0) yield lines.join('');
}
