import { sql, type Kysely } from 'kysely';

// Newsletter, the rest of issue 14: a list's language (what imported subscribers are written to
// in unless a row says otherwise; Dutch by default), and the campaign deliveries whose fate is
// unknown found by index (ops settle them per campaign; /metrics and /ops/status count them).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE newsletter_lists ADD COLUMN language text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en'))`.execute(db);
  await sql`CREATE INDEX newsletter_deliveries_unknown_idx ON newsletter_deliveries (campaign_id) WHERE status = 'unknown'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS newsletter_deliveries_unknown_idx`.execute(db);
  await sql`ALTER TABLE newsletter_lists DROP COLUMN language`.execute(db);
}
