// The retention purge: every category of the policy, in bounded batches, safe to run twice or
// to be killed half-way: each batch, and the count recorded for it, is one transaction, so a kill
// leaves the rows and their count both done or both not. Logs counts, never rows.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import { dropExpiredPartitions } from './partitions.js';
import { keyColumnsOf, type RetentionCategory, type RetentionPeriod } from './category.js';

/** Calendar arithmetic in Dutch local time: "6 months" means 6 calendar months. */
export const RETENTION_TIME_ZONE = 'Europe/Amsterdam';

export function cutoffFor(now: Date, keep: RetentionPeriod): RawBuilder<Date> {
  const interval = sql`make_interval(years => ${keep.years ?? 0}, months => ${keep.months ?? 0}, days => ${keep.days ?? 0})`;
  return sql<Date>`((${now.toISOString()}::timestamptz AT TIME ZONE ${RETENTION_TIME_ZONE}) - ${interval}) AT TIME ZONE ${RETENTION_TIME_ZONE}`;
}

async function purgeBatch(db: Db, category: RetentionCategory, now: Date, batchSize: number): Promise<number> {
  const table = sql.table(category.table);
  const keyColumns = keyColumnsOf(category);
  const key = sql`(${sql.join(keyColumns.map((column) => sql.ref(column)))})`;
  const dueKey = sql.join(keyColumns.map((column) => sql`t.${sql.ref(column)}`));
  const cutoff = cutoffFor(now, category.keep);
  const action = category.action;
  // The rows whose clock ran out, locked so two purges never fight over a batch.
  const due = (marker: RawBuilder<unknown> = sql``) => {
    const extra = category.floor ? sql`${marker} AND t.${sql.ref(category.floor)} < ${cutoff}` : marker;
    if (typeof category.clock === 'string') {
      return sql`SELECT ${dueKey} FROM ${table} t WHERE t.${sql.ref(category.clock)} < ${cutoff} ${extra} LIMIT ${batchSize} FOR UPDATE OF t SKIP LOCKED`;
    }
    const { column, via } = category.clock;
    return sql`SELECT ${dueKey} FROM ${table} t JOIN ${sql.table(via.table)} p ON p.id = t.${sql.ref(via.foreignKey)}
      WHERE p.${sql.ref(column)} < ${cutoff} ${extra} LIMIT ${batchSize} FOR UPDATE OF t SKIP LOCKED`;
  };
  if (action.kind === 'delete') {
    const result = await sql`DELETE FROM ${table} WHERE ${key} IN (${due()})`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  }
  const marker = sql.ref(action.marker);
  const cleared = sql.join(action.columns.map((column) => sql`${sql.ref(column)} = NULL`));
  const result = await sql`
    UPDATE ${table} SET ${cleared}, ${marker} = now() WHERE ${key} IN (${due(sql`AND t.${marker} IS NULL`)})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface PurgeOptions {
  readonly now?: Date;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** Records a batch's count inside the transaction that removed its rows. */
  readonly record?: (trx: Db, category: string, count: number) => Promise<void>;
  /** After a batch committed (metrics, logs, progress). */
  readonly onBatch?: (category: string, count: number) => void | Promise<void>;
}

/** Purges one category until a batch comes back short; returns how many rows it touched. */
export async function purgeCategory(db: Db, category: RetentionCategory, options: PurgeOptions): Promise<number> {
  const now = options.now ?? new Date();
  let total = 0;
  if (category.partitionedByMonth) {
    const partitions = `${category.category}.partitions`;
    const dropped = await dropExpiredPartitions(db, category.table, cutoffFor(now, category.keep), RETENTION_TIME_ZONE, async (trx, month) => {
      await category.partitionDropped?.(trx, month);
      await options.record?.(trx, partitions, 1);
    });
    if (dropped.length > 0) await options.onBatch?.(partitions, dropped.length);
  }
  for (;;) {
    options.signal?.throwIfAborted();
    const count = await db.transaction().execute(async (trx) => {
      const removed = await purgeBatch(trx, category, now, options.batchSize);
      if (removed > 0) await options.record?.(trx, category.category, removed);
      return removed;
    });
    total += count;
    if (count > 0) await options.onBatch?.(category.category, count);
    if (count < options.batchSize) return total;
  }
}

export async function purgeAll(db: Db, policy: readonly RetentionCategory[], options: PurgeOptions): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const category of policy) counts[category.category] = await purgeCategory(db, category, options);
  return counts;
}
