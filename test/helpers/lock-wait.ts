// For tests that park a request on a lock the test holds: waits until a statement of the test's
// database waits on a lock (the request has reached it), so the test can act in between.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { waitFor } from './context.js';

/** `waiters`: how many statements must be waiting (a second request parked behind the first). */
export async function untilLockWait(db: Db, what = 'a statement to wait on a lock', waiters = 1): Promise<void> {
  await waitFor(async () => {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    return (rows[0]?.n ?? 0) >= waiters;
  }, what);
}
