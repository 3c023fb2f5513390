// Retention by partition: a table partitioned by month (`<table>_YYYYMM`, bounds at local
// month starts) loses whole partitions that lie entirely before the cut-off. Each is detached
// under a short lock_timeout (the parent's lock is held for an instant, never for a scan)
// and dropped in the same transaction; the boundary month's expired rows are left to the bounded row purge.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';

export const monthlyPartitionName = (table: string, year: number, month: number) => `${table}_${String(year).padStart(4, '0')}${String(month).padStart(2, '0')}`;

/** The month a partition named by monthlyPartitionName holds. */
export const partitionMonth = (name: string) => ({ year: Number(name.slice(-6, -2)), month: Number(name.slice(-2)) });

/**
 * Detaches and drops every partition whose upper bound is at or before the cut-off, each in one
 * transaction with `record` (told the partition's month), so a kill never leaves a detached
 * table behind, nor what was kept of its rows elsewhere; returns their names.
 */
export async function dropExpiredPartitions(db: Db, table: string, cutoff: RawBuilder<Date>, timeZone: string, record?: (trx: Db, month: { year: number; month: number }) => Promise<void>): Promise<string[]> {
  const expired = await sql<{ name: string }>`
    SELECT c.relname AS name
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = ${table}::regclass
       AND c.relname ~ ${`^${table}_[0-9]{6}$`}
       AND ((to_date(right(c.relname, 6), 'YYYYMM') + interval '1 month')::timestamp AT TIME ZONE ${timeZone}) <= ${cutoff}
     ORDER BY c.relname`.execute(db);
  const dropped: string[] = [];
  for (const { name } of expired.rows) {
    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
      await sql`ALTER TABLE ${sql.table(table)} DETACH PARTITION ${sql.table(name)}`.execute(trx);
      await sql`DROP TABLE ${sql.table(name)}`.execute(trx);
      await record?.(trx, partitionMonth(name));
    });
    dropped.push(name);
  }
  return dropped;
}
