import { sql, type Kysely } from 'kysely';

// Bounces (issue 14): "three soft bounces in a row" reads an address's latest deliveries in
// the organisation, by its keyed hash. The bounce reader keeps how far it read each mailbox
// (a hash of host, user and mailbox: no address), so mail it leaves unread is not read again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX newsletter_deliveries_address_idx ON newsletter_deliveries (organization_id, address_hash, id)`.execute(db);
  await sql`
    CREATE TABLE newsletter_bounce_mailboxes (
      mailbox_key text PRIMARY KEY,
      uid_validity bigint NOT NULL,
      last_uid bigint NOT NULL,
      read_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS newsletter_bounce_mailboxes`.execute(db);
  await sql`DROP INDEX IF EXISTS newsletter_deliveries_address_idx`.execute(db);
}
