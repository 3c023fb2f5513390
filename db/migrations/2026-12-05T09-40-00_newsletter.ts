import { sql, type Kysely } from 'kysely';

// The newsletter family, part 1: lists, their subscribers (with the consent each gave) and
// the sign-ups still waiting for their confirmation link (issue 14).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE newsletter_lists (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX newsletter_lists_list_idx ON newsletter_lists (organization_id, created_at, id)`.execute(db);

  await sql`
    CREATE TABLE newsletter_subscribers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      list_id uuid NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
      email text NOT NULL,
      name text,
      attributes jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'subscribed' CHECK (status IN ('subscribed', 'unsubscribed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      unsubscribed_at timestamptz,
      UNIQUE (list_id, email)
    )`.execute(db);
  await sql`CREATE INDEX newsletter_subscribers_page_idx ON newsletter_subscribers (list_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX newsletter_subscribers_unsubscribed_idx ON newsletter_subscribers (unsubscribed_at) WHERE unsubscribed_at IS NOT NULL`.execute(db);

  // Proof of consent (P15): when, for which list, how, under which privacy statement, from
  // which (truncated) address, and on which legal basis.
  await sql`
    CREATE TABLE newsletter_consents (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      subscriber_id uuid NOT NULL REFERENCES newsletter_subscribers(id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      list_id uuid NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
      given_at timestamptz NOT NULL DEFAULT now(),
      method text NOT NULL CHECK (method IN ('sign-up', 'import', 'api')),
      privacy_statement text NOT NULL,
      ip_truncated text,
      legal_basis text NOT NULL CHECK (legal_basis IN ('consent', 'customer-relationship'))
    )`.execute(db);
  await sql`CREATE INDEX newsletter_consents_subscriber_idx ON newsletter_consents (subscriber_id)`.execute(db);

  // A public sign-up until its link is followed; the purge removes the ones never confirmed.
  await sql`
    CREATE TABLE newsletter_signups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      list_id uuid NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
      email text NOT NULL,
      name text,
      ip_truncated text,
      privacy_statement text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (list_id, email)
    )`.execute(db);
  await sql`CREATE INDEX newsletter_signups_created_idx ON newsletter_signups (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['newsletter_signups', 'newsletter_consents', 'newsletter_subscribers', 'newsletter_lists']) {
    await db.schema.dropTable(table).ifExists().cascade().execute();
  }
}
