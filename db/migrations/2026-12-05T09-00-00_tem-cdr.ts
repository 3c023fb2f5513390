import { sql, type Kysely } from 'kysely';

// Telecom Expense Management, part 1: uploads (raw bytes in chunk rows), call records
// partitioned by month (the partitions are made by the tem.make-partitions job, never here
// nor inside an upload's transaction), period charges, subscriptions and cost centres.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE tem_uploads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('cdr')),
      profile text,
      carrier text,
      sha256 text NOT NULL,
      size_bytes bigint NOT NULL,
      status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'parsing', 'parsed', 'rejected', 'failed')),
      rows_stored integer NOT NULL DEFAULT 0,
      rows_refused integer NOT NULL DEFAULT 0,
      errors jsonb NOT NULL DEFAULT '[]',
      period_start date,
      period_end date,
      attempts integer NOT NULL DEFAULT 0,
      retain_from timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      raw_deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX tem_uploads_sha256_idx ON tem_uploads (organization_id, sha256)`.execute(db);
  await sql`CREATE INDEX tem_uploads_list_idx ON tem_uploads (organization_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX tem_uploads_due_idx ON tem_uploads (created_at) WHERE status IN ('received', 'parsing')`.execute(db);

  await sql`
    CREATE TABLE tem_upload_chunks (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      upload_id uuid NOT NULL REFERENCES tem_uploads(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      data bytea NOT NULL,
      UNIQUE (upload_id, seq)
    )`.execute(db);

  await sql`
    CREATE TABLE call_records (
      id bigint GENERATED ALWAYS AS IDENTITY,
      organization_id uuid NOT NULL,
      upload_id uuid NOT NULL,
      line integer NOT NULL,
      msisdn text NOT NULL,
      user_name text,
      started_at timestamptz NOT NULL,
      call_type text NOT NULL,
      direction text,
      destination text,
      destination_masked boolean NOT NULL DEFAULT false,
      duration_s integer,
      billed_s integer,
      volume_bytes bigint,
      bundle text,
      amount numeric(16, 4) NOT NULL,
      currency text NOT NULL DEFAULT 'EUR',
      vat_rate numeric(5, 2),
      roaming boolean NOT NULL DEFAULT false,
      visited_network text,
      cost_centre_hint text,
      PRIMARY KEY (id, started_at)
    ) PARTITION BY RANGE (started_at)`.execute(db);
  await sql`CREATE INDEX call_records_org_idx ON call_records (organization_id, started_at)`.execute(db);
  await sql`CREATE INDEX call_records_upload_idx ON call_records (upload_id)`.execute(db);

  await sql`
    CREATE TABLE tem_period_charges (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      upload_id uuid NOT NULL REFERENCES tem_uploads(id) ON DELETE CASCADE,
      line integer NOT NULL,
      msisdn text NOT NULL,
      user_name text,
      description text,
      call_type text NOT NULL,
      amount numeric(16, 4) NOT NULL,
      currency text NOT NULL DEFAULT 'EUR',
      vat_rate numeric(5, 2),
      period_start date NOT NULL,
      period_end date NOT NULL,
      cost_centre_hint text
    )`.execute(db);
  await sql`CREATE INDEX tem_period_charges_org_idx ON tem_period_charges (organization_id, period_start)`.execute(db);
  await sql`CREATE INDEX tem_period_charges_upload_idx ON tem_period_charges (upload_id)`.execute(db);

  await sql`
    CREATE TABLE tem_cost_centres (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      code text NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, code)
    )`.execute(db);

  await sql`
    CREATE TABLE tem_subscriptions (
      id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      msisdn text NOT NULL,
      holder_name text,
      holder_set boolean NOT NULL DEFAULT false,
      cost_centre_id uuid REFERENCES tem_cost_centres(id) ON DELETE SET NULL,
      cost_centre_hint text,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, msisdn)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['tem_subscriptions', 'tem_cost_centres', 'tem_period_charges', 'call_records', 'tem_upload_chunks', 'tem_uploads']) {
    await db.schema.dropTable(table).ifExists().cascade().execute();
  }
}
