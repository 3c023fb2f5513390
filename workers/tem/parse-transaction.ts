// The parse of one upload in one transaction on its own connection: COPY of the calls into
// call_records, their sums in the cost report's rollup, the period charges, the subscriptions
// named, the upload's counts, and the raw file's deletion commit together or not at all. A retry
// (a killed worker, a terminated connection) finds nothing half-written and stores every row
// exactly once; it reads the file again from its first row, with a new tally.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openConnection } from '../../db/database.js';
import type { Deps } from '../core/deps.js';
import type { TemUploadError } from '../../db/schema.js';
import { TEM_TIME_ZONE, acceptedWindow, addMonths, lastDay, localText, monthOf } from './calendar.js';
import { copyText, newTally, openCdr, refuse, type CdrTally } from './cdr-file.js';
import { CALL_RECORD_COLUMNS } from './copy-format.js';
import { decodeText } from '../core/csv-sniff.js';
import { profileNamed } from './profile.js';
import { openRawFile } from './raw-file.js';
import { repeatedRows } from './repeated-calls.js';
import { markRestrictedSubscriptions } from './restricted.js';
import { chargePeriod, exportPeriod } from './windows.js';

export type ParseOutcome =
  | { kind: 'skipped' }
  | { kind: 'parsed'; stored: number; refused: number }
  | { kind: 'rejected'; refused: number; errors: TemUploadError[] };

interface Claimed {
  readonly id: string;
  readonly organization_id: string;
  readonly profile: string | null;
  readonly charset: string | null;
}

/** Accepted when no row was refused, or fewer than TEM_MAX_BAD_ROWS percent of them. */
export const withinThreshold = (refused: number, rows: number, percent: number) => refused === 0 || refused * 100 < percent * rows;

/** The last day a period charge may end on: a year ahead. Its end starts its retention clock, so a period to 9999 would be kept for ever. */
export const latestChargeEnd = (now: Date): string => lastDay(addMonths(monthOf(localText(now)), 12));

async function insertCharges(client: pg.Client, upload: Claimed, tally: CdrTally, now: Date, earliest: string): Promise<void> {
  const fallback = exportPeriod(tally.latestDated, now);
  const latest = latestChargeEnd(now);
  const kept = tally.charges.filter((c) => {
    const period = chargePeriod(c, fallback);
    const code = period.end < earliest ? 'past-retention' : period.end > latest ? 'implausible-date' : null;
    if (code === null) return true;
    tally.stored -= 1;
    refuse(tally, { line: c.line, code });
    return false;
  });
  if (kept.length === 0) return;
  const periods = kept.map((c) => chargePeriod(c, fallback));
  await client.query(
    `INSERT INTO tem_period_charges (organization_id, upload_id, line, msisdn, user_name, description, call_type, amount, currency, vat_rate, period_start, period_end, cost_centre_hint)
     SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::text[], $10::numeric[], $11::date[], $12::date[], $13::text[])`,
    [
      upload.organization_id, upload.id,
      kept.map((c) => c.line), kept.map((c) => c.msisdn), kept.map((c) => c.userName), kept.map((c) => c.description), kept.map((c) => c.type),
      kept.map((c) => c.amount), kept.map((c) => c.currency), kept.map((c) => c.vatRate),
      periods.map((p) => p.start), periods.map((p) => p.end), kept.map((c) => c.costCentreHint),
    ],
  );
}

/** Subscriptions appear as records name them; a holder set through the API is kept, our cost centre is never touched. */
async function upsertSubscriptions(client: pg.Client, upload: Claimed, tally: CdrTally): Promise<void> {
  const entries = [...tally.subscriptions];
  if (entries.length === 0) return;
  await client.query(
    `INSERT INTO tem_subscriptions (organization_id, msisdn, holder_name, cost_centre_hint)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
     ON CONFLICT (organization_id, msisdn) DO UPDATE SET
       holder_name = CASE WHEN tem_subscriptions.holder_set THEN tem_subscriptions.holder_name ELSE coalesce(EXCLUDED.holder_name, tem_subscriptions.holder_name) END,
       cost_centre_hint = coalesce(EXCLUDED.cost_centre_hint, tem_subscriptions.cost_centre_hint),
       last_seen_at = now()`,
    [upload.organization_id, entries.map(([n]) => n), entries.map(([, s]) => s.userName), entries.map(([, s]) => s.hint)],
  );
}

async function readAndCopy(client: pg.Client, deps: Deps, upload: Claimed, tally: CdrTally, signal: AbortSignal): Promise<TemUploadError[] | null> {
  const raw = openRawFile(deps.config, upload.id, signal);
  try {
    const layout = await openCdr(decodeText(raw, upload.charset), profileNamed(upload.profile));
    if (!layout.ok) return layout.errors;
    const copy = client.query(copyFrom(`COPY call_records (${CALL_RECORD_COLUMNS.join(', ')}) FROM STDIN`));
    const ids = { organizationId: upload.organization_id, uploadId: upload.id };
    // One piece of COPY text waits at a time: pipeline() holds the file back while Postgres is behind.
    await pipeline(Readable.from(copyText(layout, ids, acceptedWindow(new Date()), tally, signal), { highWaterMark: 1 }), copy);
    return null;
  } finally {
    await raw.close();
  }
}

/**
 * Inside BEGIN: locks the upload and answers whether it is still `parsing` (rolled back when
 * not). Two runs of the same job (a stalled one and its retry) take turns; the second finds it parsed.
 */
export async function lockParsingUpload(client: pg.Client, uploadId: string): Promise<boolean> {
  const locked = await client.query<{ status: string }>('SELECT status FROM tem_uploads WHERE id = $1 FOR UPDATE', [uploadId]);
  if (locked.rows[0]?.status === 'parsing') return true;
  await client.query('ROLLBACK');
  return false;
}

export async function parseInTransaction(deps: Deps, upload: Claimed, signal: AbortSignal): Promise<ParseOutcome> {
  // Bounded as every connection is (openConnection): a Postgres gone silent fails the parse, and the job is retried.
  const client = await openConnection(deps.config, 'tgg-tem-parse');
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL TimeZone = '${TEM_TIME_ZONE}'`);
    if (!(await lockParsingUpload(client, upload.id))) return { kind: 'skipped' };
    const now = new Date();
    const tally = newTally();
    const layoutErrors = await readAndCopy(client, deps, upload, tally, signal);
    if (!layoutErrors) await insertCharges(client, upload, tally, now, acceptedWindow(now).from.slice(0, 10));
    if (layoutErrors || tally.dataRows === 0 || !withinThreshold(tally.refused, tally.dataRows, deps.config.tem.maxBadRowsPercent)) {
      await client.query('ROLLBACK');
      const errors = layoutErrors ?? (tally.dataRows === 0 ? [{ line: null, code: 'no-rows' }] : tally.errors);
      return { kind: 'rejected', refused: layoutErrors ? 0 : tally.refused, errors };
    }
    const repeated = await repeatedRows(client, upload.organization_id, upload.id, tally);
    if (repeated) {
      await client.query('ROLLBACK');
      const message = `${repeated.rows} of its calls and charges were stored before by upload ${repeated.uploadId}: delete that upload first, or upload only what it lacks`;
      return { kind: 'rejected', refused: 0, errors: [{ line: null, code: 'duplicate-calls', message }] };
    }
    await upsertSubscriptions(client, upload, tally);
    await markRestrictedSubscriptions(client, upload.organization_id, [...tally.subscriptions.keys()], deps.config.suppressionKey);
    await tally.calls.write(client, upload.organization_id);
    const period = exportPeriod(tally.latestDated, now);
    const dropRaw = !deps.config.tem.keepRaw;
    await client.query(
      `UPDATE tem_uploads SET status = 'parsed', rows_stored = $2, rows_refused = $3, errors = $4, period_start = $5, period_end = $6,
         retain_from = coalesce($7::timestamptz, retain_from), finished_at = now(), raw_deleted_at = CASE WHEN $8 THEN now() END
       WHERE id = $1`,
      [upload.id, tally.stored, tally.refused, JSON.stringify(tally.errors), period.start, period.end, tally.latestCall, dropRaw],
    );
    if (dropRaw) await client.query('DELETE FROM tem_upload_chunks WHERE upload_id = $1', [upload.id]);
    await client.query('COMMIT');
    return { kind: 'parsed', stored: tally.stored, refused: tally.refused };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.close();
  }
}
