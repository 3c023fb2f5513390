// The cost report reads an organisation's invoice lines of the months asked for, not all it kept
// (7 years): a line's month is its own period's start, else its invoice's period start, else the
// invoice's issue date (workers/tem/einvoice/costs.ts). Both columns the month comes from get an
// index, so each part of that read is a range: lines with their own period by it, and invoices
// by their day, then their lines by invoice_id (the (invoice_id, seq) key). No column is added,
// so nothing is backfilled and a parse writes what it wrote before, plus these entries. Built in
// the migration's transaction: a scan of each table, writes to them wait for it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX einvoice_lines_month_idx ON einvoice_lines (organization_id, period_start) WHERE period_start IS NOT NULL AND line_amount IS NOT NULL`.execute(db);
  await sql`CREATE INDEX einvoices_month_idx ON einvoices (organization_id, (coalesce(period_start, issue_date)))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX einvoices_month_idx`.execute(db);
  await sql`DROP INDEX einvoice_lines_month_idx`.execute(db);
}
