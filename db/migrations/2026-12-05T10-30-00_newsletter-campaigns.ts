import { sql, type Kysely } from 'kysely';

// The newsletter family, part 2 (issue 14): the suppression list every send and import
// respects, campaigns, and a delivery row per recipient that the chunk jobs claim in windows.
export async function up(db: Kysely<any>): Promise<void> {
  // A keyed hash (HMAC-SHA-256 under SUPPRESSION_KEY) of the normalised address, never the
  // address: the entry outlives the subscriber's erasure.
  await sql`
    CREATE TABLE newsletter_suppressions (
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      address_hash bytea NOT NULL,
      reason text NOT NULL CHECK (reason IN ('unsubscribe', 'hard_bounce', 'complaint', 'soft_bounces', 'objection')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, address_hash)
    )`.execute(db);

  await sql`
    CREATE TABLE newsletter_campaigns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      list_id uuid REFERENCES newsletter_lists(id) ON DELETE SET NULL,
      subject text NOT NULL,
      html text NOT NULL,
      text text,
      from_name text,
      reply_to text,
      status text NOT NULL CHECK (status IN ('scheduled', 'queued', 'sending', 'paused', 'completed', 'cancelled')),
      send_at timestamptz,
      chunk_size integer NOT NULL,
      recipients integer NOT NULL DEFAULT 0,
      paused_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      completed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX newsletter_campaigns_page_idx ON newsletter_campaigns (organization_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX newsletter_campaigns_due_idx ON newsletter_campaigns (send_at) WHERE status = 'scheduled'`.execute(db);

  await sql`
    CREATE TABLE newsletter_campaign_chunks (
      campaign_id uuid NOT NULL REFERENCES newsletter_campaigns(id) ON DELETE CASCADE,
      chunk integer NOT NULL,
      done boolean NOT NULL DEFAULT false,
      PRIMARY KEY (campaign_id, chunk)
    )`.execute(db);

  // One row per recipient, made when the campaign starts (a snapshot of the list). The address
  // is read from the subscriber when the row is claimed; address_hash lets a bounce suppress
  // the address after the subscriber is gone. No foreign key on campaign_id: a 500,000-row
  // snapshot would check it row by row; rows are deleted with their campaign explicitly.
  await sql`
    CREATE TABLE newsletter_deliveries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id uuid NOT NULL,
      organization_id uuid NOT NULL,
      seq integer NOT NULL,
      subscriber_id uuid REFERENCES newsletter_subscribers(id) ON DELETE SET NULL,
      address_hash bytea NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'unsubscribed', 'unknown', 'cancelled')),
      attempts smallint NOT NULL DEFAULT 0,
      smtp_code smallint,
      error_code text,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz,
      sent_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (campaign_id, seq)
    )`.execute(db);
  await sql`CREATE INDEX newsletter_deliveries_queued_idx ON newsletter_deliveries (campaign_id, seq) WHERE status = 'queued'`.execute(db);
  await sql`CREATE INDEX newsletter_deliveries_sending_idx ON newsletter_deliveries (claimed_at) WHERE status = 'sending'`.execute(db);
  await sql`CREATE INDEX newsletter_deliveries_subscriber_idx ON newsletter_deliveries (subscriber_id)`.execute(db);
  await sql`CREATE INDEX newsletter_deliveries_updated_idx ON newsletter_deliveries (updated_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['newsletter_deliveries', 'newsletter_campaign_chunks', 'newsletter_campaigns', 'newsletter_suppressions']) {
    await db.schema.dropTable(table).ifExists().cascade().execute();
  }
}
