// Issue 15: a privacy request finds a person's campaign deliveries by subscriber_id (indexed),
// and, once the subscriber row is gone, only by address_hash. A partial index over those rows
// keeps the lookup off a sequential scan of every delivery without slowing the snapshot's
// inserts (their subscriber_id is set).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX newsletter_deliveries_orphan_hash_idx ON newsletter_deliveries (address_hash) WHERE subscriber_id IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX newsletter_deliveries_orphan_hash_idx`.execute(db);
}
