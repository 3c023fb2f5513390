// What the rollup (tem_cost_rollup) needs beside its triggers: a call_records partition dropped
// by the retention purge takes its month's call rows of the rollup with it, in the same transaction.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { monthStart, type Month } from './calendar.js';

export async function forgetCallMonth(trx: Db, month: Month): Promise<void> {
  await trx.deleteFrom('tem_cost_rollup').where('source', '=', 'call').where('month', '=', sql<Date>`${monthStart(month).slice(0, 10)}::date`).execute();
}
