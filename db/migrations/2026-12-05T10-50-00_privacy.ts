import { sql, type Kysely } from 'kysely';

// The privacy family (issue 15): requests of data subjects, the answers they fetch by a signed
// link, notices to members, the erasure ledger a restore replays, the restriction list jobs
// check, and the indexes that let every table be searched by a person's address or number.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE privacy_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      type text NOT NULL CHECK (type IN ('access', 'rectification', 'erasure', 'restriction', 'objection', 'complaint')),
      status text NOT NULL DEFAULT 'unverified'
        CHECK (status IN ('unverified', 'awaiting-approval', 'verified', 'processing', 'done', 'rejected', 'expired')),
      filed_by text NOT NULL CHECK (filed_by IN ('public', 'ops')),
      filed_by_ops text,
      email text,
      phone text,
      name text,
      message text,
      rectification jsonb,
      email_verified_at timestamptz,
      phone_verified_at timestamptz,
      code_hash bytea,
      code_expires_at timestamptz,
      code_attempts integer NOT NULL DEFAULT 0,
      approved_by text,
      approved_at timestamptz,
      received_at timestamptz NOT NULL DEFAULT now(),
      due_at timestamptz NOT NULL,
      extended_at timestamptz,
      extension_reason text,
      verified_at timestamptz,
      completed_at timestamptz,
      outcome jsonb,
      identifier_hashes bytea[] NOT NULL DEFAULT '{}',
      anonymised_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX privacy_requests_status_idx ON privacy_requests (status, due_at)`.execute(db);
  await sql`CREATE INDEX privacy_requests_email_idx ON privacy_requests (lower(email)) WHERE email IS NOT NULL`.execute(db);
  await sql`CREATE INDEX privacy_requests_phone_idx ON privacy_requests (phone) WHERE phone IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE privacy_exports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL REFERENCES privacy_requests(id) ON DELETE CASCADE,
      document jsonb NOT NULL,
      html text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX privacy_exports_expires_idx ON privacy_exports (expires_at)`.execute(db);
  await sql`CREATE INDEX privacy_exports_request_idx ON privacy_exports (request_id)`.execute(db);

  await sql`
    CREATE TABLE privacy_erasure_ledger (
      identifier_hash bytea PRIMARY KEY,
      erased_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE privacy_restrictions (
      identifier_hash bytea PRIMARY KEY,
      request_id uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE privacy_notices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      request_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('erasure', 'rectification', 'restriction')),
      counts jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      callback_status text NOT NULL DEFAULT 'none' CHECK (callback_status IN ('none', 'queued', 'sent', 'failed')),
      callback_attempts integer NOT NULL DEFAULT 0
    )`.execute(db);
  await sql`CREATE INDEX privacy_notices_org_idx ON privacy_notices (organization_id, created_at, id)`.execute(db);
  await sql`ALTER TABLE organizations ADD COLUMN privacy_callback_url text`.execute(db);

  // P8 rows an erasure keeps: marked restricted, never processed beyond storage.
  await sql`ALTER TABLE einvoices ADD COLUMN restricted_at timestamptz`.execute(db);
  await sql`ALTER TABLE einvoice_lines ADD COLUMN restricted_at timestamptz`.execute(db);

  // Every lookup of a person by address or number goes through an index.
  await sql`CREATE INDEX users_email_idx ON users (lower(email))`.execute(db);
  await sql`CREATE INDEX contacts_email_idx ON contacts (lower(email)) WHERE email IS NOT NULL`.execute(db);
  await sql`CREATE INDEX contacts_phone_idx ON contacts (phone) WHERE phone IS NOT NULL`.execute(db);
  await sql`CREATE INDEX mail_messages_to_idx ON mail_messages (lower(to_address))`.execute(db);
  await sql`CREATE INDEX mail_outbox_to_idx ON mail_outbox USING gin (envelope_to)`.execute(db);
  await sql`CREATE INDEX sms_messages_email_idx ON sms_messages (lower(email)) WHERE email IS NOT NULL`.execute(db);
  await sql`CREATE INDEX sms_outbox_recipient_idx ON sms_outbox (recipient)`.execute(db);
  await sql`CREATE INDEX sms_outbox_message_idx ON sms_outbox (message_id)`.execute(db);
  await sql`CREATE INDEX sms_replies_phone_idx ON sms_replies (phone) WHERE phone IS NOT NULL`.execute(db);
  await sql`CREATE INDEX call_records_msisdn_idx ON call_records (msisdn)`.execute(db);
  await sql`CREATE INDEX call_records_destination_idx ON call_records (destination) WHERE destination IS NOT NULL`.execute(db);
  await sql`CREATE INDEX tem_period_charges_msisdn_idx ON tem_period_charges (msisdn)`.execute(db);
  await sql`CREATE INDEX tem_subscriptions_msisdn_idx ON tem_subscriptions (msisdn)`.execute(db);
  await sql`CREATE INDEX einvoice_lines_ref_idx ON einvoice_lines (subscription_ref) WHERE subscription_ref IS NOT NULL`.execute(db);
  await sql`CREATE INDEX newsletter_subscribers_email_idx ON newsletter_subscribers (email)`.execute(db);
  await sql`CREATE INDEX newsletter_signups_email_idx ON newsletter_signups (email)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'users_email_idx', 'contacts_email_idx', 'contacts_phone_idx', 'mail_messages_to_idx', 'mail_outbox_to_idx', 'sms_messages_email_idx',
    'sms_outbox_recipient_idx', 'sms_outbox_message_idx', 'sms_replies_phone_idx', 'call_records_msisdn_idx', 'call_records_destination_idx',
    'tem_period_charges_msisdn_idx', 'tem_subscriptions_msisdn_idx', 'einvoice_lines_ref_idx', 'newsletter_subscribers_email_idx', 'newsletter_signups_email_idx',
  ]) {
    await sql`DROP INDEX IF EXISTS ${sql.id(index)}`.execute(db);
  }
  await sql`ALTER TABLE einvoice_lines DROP COLUMN restricted_at`.execute(db);
  await sql`ALTER TABLE einvoices DROP COLUMN restricted_at`.execute(db);
  await sql`ALTER TABLE organizations DROP COLUMN privacy_callback_url`.execute(db);
  for (const table of ['privacy_notices', 'privacy_restrictions', 'privacy_erasure_ledger', 'privacy_exports', 'privacy_requests']) {
    await sql`DROP TABLE ${sql.id(table)}`.execute(db);
  }
}
