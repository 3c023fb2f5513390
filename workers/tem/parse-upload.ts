// tem.parse-upload: received → parsing → parsed | rejected (| failed after the last attempt),
// each by a conditional UPDATE. The parse itself is one transaction (parse-transaction.ts).
import { sql } from 'kysely';
import { JOBS } from '../../queues/registry.js';
import type { Deps } from '../core/deps.js';
import type { Handler } from '../core/handler.js';
import { CsvLayoutProblem } from '../core/csv-rows.js';
import { EncodingProblem } from '../core/csv-sniff.js';
import { parseEinvoiceInTransaction } from './einvoice/parse-einvoice.js';
import { makePartitions } from './partitions.js';
import { parseInTransaction, type ParseOutcome } from './parse-transaction.js';
import { noteParse } from './metrics.js';

const MAX_ATTEMPTS = JOBS['tem.parse-upload'].attempts ?? 1;
/** Parses started over every job's life (the reconciler re-enqueues a job BullMQ gave up on as stalled): then it has failed. */
const MAX_PARSES = 2 * MAX_ATTEMPTS;

async function markFailed(deps: Deps, uploadId: string): Promise<void> {
  await deps.db.updateTable('tem_uploads').set({ status: 'failed', finished_at: new Date() }).where('id', '=', uploadId).where('status', '=', 'parsing').execute();
}

/**
 * A Postgres data exception (SQLSTATE class 22: a number past its column's precision, a date that
 * does not exist, a NUL) raised by a value of the file: a retry gives the same answer, so the
 * upload is rejected (an e-invoice amount of 40 digits was retried ten times and then 'failed').
 * The code only: the error's message and detail quote the value.
 */
function isDataException(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown };
  return typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && e.severity !== undefined;
}

/** Whole-file problems (no layout, a mixed encoding, broken quoting) reject the upload rather than retry it. */
function fileProblem(error: unknown): string | null {
  if (error instanceof CsvLayoutProblem) return error.code;
  if (error instanceof EncodingProblem) return error.source === 'sniffed' ? 'mixed-encoding' : 'invalid-encoding';
  if ((error as { code?: unknown }).code && String((error as { code: unknown }).code).startsWith('CSV_')) return 'malformed-csv';
  if (isDataException(error)) return 'unstorable-value';
  return null;
}

export const parseUpload: Handler<'tem.parse-upload'> = async ({ uploadId }, { deps, job, log, signal }) => {
  const claimed = await deps.db
    .updateTable('tem_uploads')
    .set({ status: 'parsing', attempts: sql`attempts + 1` })
    .where('id', '=', uploadId)
    .where('status', 'in', ['received', 'parsing'])
    .returning(['id', 'organization_id', 'kind', 'profile', 'charset', 'attempts'])
    .executeTakeFirst();
  if (!claimed) return { stored: 0 };
  if (claimed.attempts > MAX_PARSES) {
    await markFailed(deps, uploadId);
    return { stored: 0 };
  }
  // Outside the parse's transaction: making a partition locks call_records.
  await makePartitions(deps.db);
  let outcome: ParseOutcome;
  try {
    outcome = claimed.kind === 'einvoice' ? await parseEinvoiceInTransaction(deps, claimed, signal) : await parseInTransaction(deps, claimed, signal);
  } catch (error) {
    const code = fileProblem(error);
    if (code) outcome = { kind: 'rejected', refused: 0, errors: [{ line: null, code }] };
    else {
      if (job.attemptsMade + 1 >= MAX_ATTEMPTS) await markFailed(deps, uploadId);
      throw error;
    }
  }
  if (outcome.kind === 'rejected') {
    await deps.db
      .updateTable('tem_uploads')
      .set({ status: 'rejected', rows_stored: 0, rows_refused: outcome.refused, errors: JSON.stringify(outcome.errors), finished_at: new Date() })
      .where('id', '=', uploadId)
      .where('status', '=', 'parsing')
      .execute();
    log.info({ refused: outcome.refused }, 'upload rejected');
    await noteParse(deps, uploadId, claimed.kind, outcome);
    return { stored: 0, refused: outcome.refused };
  }
  await noteParse(deps, uploadId, claimed.kind, outcome);
  return outcome.kind === 'parsed' ? { stored: outcome.stored, refused: outcome.refused } : { stored: 0 };
};
