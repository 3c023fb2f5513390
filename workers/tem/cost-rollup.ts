// What the rollup (tem_cost_rollup) needs beside its triggers and the parse's own sums
// (call-rollup.ts): a call_records partition dropped by the retention purge takes its month's
// call rows of the rollup with it, in the same transaction; call records stored other than by
// a parse (seeds, test helpers) or a rollup in doubt are recomputed from the rows.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { monthStart, type Month } from './calendar.js';

export async function forgetCallMonth(trx: Db, month: Month): Promise<void> {
  await trx.deleteFrom('tem_cost_rollup').where('source', '=', 'call').where('month', '=', sql<Date>`${monthStart(month).slice(0, 10)}::date`).execute();
}

/**
 * The organisation's call rows of the rollup for `month` recomputed from its call records
 * (tem_cost_rollup_recompute_calls, migration 2026-12-05T19-10-00_tem-rollup-from-parse): it
 * locks the rollup against writers until the caller's transaction ends.
 */
export async function recomputeCallMonth(db: Db, organizationId: string, month: Month): Promise<void> {
  await sql`SELECT tem_cost_rollup_recompute_calls(${organizationId}, ${monthStart(month).slice(0, 10)}::date)`.execute(db);
}
