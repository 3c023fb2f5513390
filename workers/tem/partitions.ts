// The monthly partitions of call_records, made ahead of time: from the retention cut-off's
// month to MONTHS_AHEAD past the current one. Never inside an upload's transaction (creating
// a partition locks the parent); the parse job calls this before it opens its own.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { monthlyPartitionName } from '../retention/partitions.js';
import { TEM_TIME_ZONE, acceptedWindow, addMonths, monthOf, monthStart, type Month } from './calendar.js';

async function existing(db: Db): Promise<Set<string>> {
  const rows = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'call_records'::regclass`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

async function create(db: Db, month: Month, name: string): Promise<void> {
  const from = `${monthStart(month)} ${TEM_TIME_ZONE}`;
  const to = `${monthStart(addMonths(month, 1))} ${TEM_TIME_ZONE}`;
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL lock_timeout = '10s'`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.table(name)} PARTITION OF call_records FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(trx);
  });
}

/** Makes the partitions of the accepted window that do not exist yet; returns how many it made. */
export async function makePartitions(db: Db, now = new Date()): Promise<number> {
  const window = acceptedWindow(now);
  const have = await existing(db);
  let made = 0;
  const last = monthOf(window.until);
  for (let month = monthOf(window.from); monthStart(month) < monthStart(last); month = addMonths(month, 1)) {
    const name = monthlyPartitionName('call_records', month.year, month.month);
    if (have.has(name)) continue;
    await create(db, month, name);
    made += 1;
  }
  return made;
}
