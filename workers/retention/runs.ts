// The record of each purge run (retention_runs): started, each batch's count added as it
// commits, finished. A run killed half-way keeps what it did and no finished_at.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** Runs older than this are deleted when a new one starts: a year of nights and a month of slack. */
const KEEP_RUNS = sql`interval '400 days'`;

export async function startRun(db: Db): Promise<string> {
  await db.deleteFrom('retention_runs').where('started_at', '<', sql<Date>`now() - ${KEEP_RUNS}`).execute();
  const row = await db.insertInto('retention_runs').defaultValues().returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function addRemoved(db: Db, runId: string, category: string, count: number): Promise<void> {
  await sql`UPDATE retention_runs SET removed = jsonb_set(removed, ARRAY[${category}::text], to_jsonb(coalesce((removed->>${category})::bigint, 0) + ${count}))
    WHERE id = ${runId}`.execute(db);
}

export async function finishRun(db: Db, runId: string): Promise<void> {
  await db.updateTable('retention_runs').set({ finished_at: sql`now()` }).where('id', '=', runId).execute();
}

export interface LastRuns {
  readonly lastStartedAt: Date | null;
  readonly lastFinishedAt: Date | null;
  readonly lastFinishedRemoved: Record<string, number> | null;
}

export async function lastRuns(db: Db): Promise<LastRuns> {
  const started = await db.selectFrom('retention_runs').select('started_at').orderBy('started_at', 'desc').limit(1).executeTakeFirst();
  const finished = await db
    .selectFrom('retention_runs')
    .select(['finished_at', 'removed'])
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { lastStartedAt: started?.started_at ?? null, lastFinishedAt: finished?.finished_at ?? null, lastFinishedRemoved: finished?.removed ?? null };
}
