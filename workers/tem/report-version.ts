// The version of an organisation's cost report: the sum of its tem_report_changes rows, to which
// every statement changing what its reports read adds one, in that statement's transaction
// (triggers of the migration 2026-12-05T16-30-00_tem-cost-rollup). A committed change raises it
// for every process at once; rows are only ever inserted, so writers never wait on each other.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Past this many rows an organisation's changes are folded into one (same sum) when read. */
const FOLD_AFTER = 32;

/** Replaces the organisation's rows by one holding their sum: the version stays, the rows to read shrink. */
async function fold(db: Kysely<Database>, organizationId: string): Promise<void> {
  await sql`
    WITH gone AS (DELETE FROM tem_report_changes WHERE organization_id = ${organizationId} RETURNING n)
    INSERT INTO tem_report_changes (organization_id, n) SELECT ${organizationId}, sum(n) FROM gone HAVING count(*) > 0`.execute(db);
}

export async function reportVersion(db: Kysely<Database>, organizationId: string): Promise<string> {
  const { rows } = await sql<{ version: string; rows: number }>`
    SELECT coalesce(sum(n), 0)::text AS version, count(*)::int AS rows FROM tem_report_changes WHERE organization_id = ${organizationId}`.execute(db);
  const row = rows[0] ?? { version: '0', rows: 0 };
  if (row.rows > FOLD_AFTER) await fold(db, organizationId);
  return row.version;
}
