import { sql, type Kysely } from 'kysely';

// Bounces (issue 14): "three soft bounces in a row" reads an address's latest deliveries in
// the organisation, by its keyed hash.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX newsletter_deliveries_address_idx ON newsletter_deliveries (organization_id, address_hash, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS newsletter_deliveries_address_idx`.execute(db);
}
