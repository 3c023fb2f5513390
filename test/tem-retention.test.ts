// Retention of call records by partition (issue 12, P6): whole months past the cut-off are
// detached and dropped, the boundary month loses its expired rows in bounded batches, and
// moving the clock past a partition boundary drops that month too. Raw files and period
// charges follow their own clocks.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RETENTION_POLICY } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { makePartitions } from '../workers/tem/partitions.js';
import { createTestContext } from './helpers/context.js';
import { insertOrganization } from './helpers/factories.js';

const ctx = await createTestContext();
const TEM = RETENTION_POLICY.filter((c) => c.category.startsWith('tem.'));
const org = await insertOrganization(ctx.db);
const upload = await ctx.db
  .insertInto('tem_uploads')
  .values({ organization_id: org.id, kind: 'cdr', profile: null, carrier: null, sha256: 'x'.repeat(64), size_bytes: 1 })
  .returning('id')
  .executeTakeFirstOrThrow();

/** A call at a local Amsterdam time. */
async function callAt(local: string): Promise<void> {
  await sql`
    INSERT INTO call_records (organization_id, upload_id, line, msisdn, started_at, call_type, amount)
    VALUES (${org.id}, ${upload.id}, 2, '+31612345678', ${local}::timestamp AT TIME ZONE 'Europe/Amsterdam', 'voice', 1.00)`.execute(ctx.db);
}

async function partitions(): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'call_records'::regclass ORDER BY 1`.execute(ctx.db);
  return rows.rows.map((r) => r.name);
}

async function callsLeft(): Promise<string[]> {
  const rows = await sql<{ at: string }>`SELECT to_char(started_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI:SS') AS at FROM call_records ORDER BY started_at`.execute(ctx.db);
  return rows.rows.map((r) => r.at);
}

describe('retention of call records by partition', () => {
  it('drops whole months past the cut-off, deletes the boundary month’s expired rows, and follows the clock', async () => {
    // Partitions made as the nightly job would have, from March 2026 on.
    await makePartitions(ctx.db, new Date('2026-03-15T12:00:00Z'));
    await makePartitions(ctx.db, new Date('2026-12-05T11:00:00Z'));
    expect(await partitions()).toContain('call_records_202509');
    expect(await partitions()).toContain('call_records_202702');
    for (const at of ['2026-05-31 23:59:59', '2026-06-05 11:59:59', '2026-06-05 12:00:01', '2026-06-30 23:59:59', '2026-07-01 00:00:00']) await callAt(at);
    await ctx.db.insertInto('tem_upload_chunks').values({ upload_id: upload.id, seq: 0, data: Buffer.from('raw') }).execute();
    await ctx.db.updateTable('tem_uploads').set({ retain_from: new Date('2026-06-01T00:00:00+02:00') }).where('id', '=', upload.id).execute();

    // 5 December 2026, 12:00 in Amsterdam: the cut-off is 5 June 2026, 12:00.
    const counts = await purgeAll(ctx.db, TEM, { now: new Date('2026-12-05T11:00:00Z'), batchSize: 1 });
    expect(await partitions()).not.toContain('call_records_202605');
    expect((await partitions())[0]).toBe('call_records_202606');
    expect(await callsLeft()).toEqual(['2026-06-05 12:00:01', '2026-06-30 23:59:59', '2026-07-01 00:00:00']);
    expect(counts['tem.call-records']).toBe(1);
    expect(counts['tem.raw-files']).toBe(1);

    // The clock moves to 1 January 2027, 00:00 (cut-off 1 July 2026, 00:00): June goes whole, July stays.
    await purgeAll(ctx.db, TEM, { now: new Date('2026-12-31T23:00:00Z'), batchSize: 1 });
    expect((await partitions())[0]).toBe('call_records_202607');
    expect(await callsLeft()).toEqual(['2026-07-01 00:00:00']);
  });

  it('refuses nothing twice: a second purge at the same time changes nothing', async () => {
    const before = await partitions();
    const counts = await purgeAll(ctx.db, TEM, { now: new Date('2026-12-31T23:00:00Z'), batchSize: 10 });
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect(await partitions()).toEqual(before);
  });
});
