// Issue 15: a restricted number (art. 18) is stored, not processed: its subscription is marked,
// and the cost reports, anomalies and reconciliation leave its call records, charges and invoice
// lines out. The partial index lists an organisation's restricted numbers without reading all
// of its subscriptions.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tem_subscriptions ADD COLUMN restricted_at timestamptz`.execute(db);
  await sql`CREATE INDEX tem_subscriptions_restricted_idx ON tem_subscriptions (organization_id) WHERE restricted_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX tem_subscriptions_restricted_idx`.execute(db);
  await sql`ALTER TABLE tem_subscriptions DROP COLUMN restricted_at`.execute(db);
}
