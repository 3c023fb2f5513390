import { sql, type Kysely } from 'kysely';

// Telecom Expense Management, part 2: electronic invoices (UBL 2.1, UN/CEFACT CII) uploaded
// through the same uploads, one invoice per file, its lines, and the findings of its checks.
// Amounts are numeric (exact), never floats; identifiers are text.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tem_uploads DROP CONSTRAINT tem_uploads_kind_check`.execute(db);
  await sql`ALTER TABLE tem_uploads ADD CONSTRAINT tem_uploads_kind_check CHECK (kind IN ('cdr', 'einvoice'))`.execute(db);

  await sql`
    CREATE TABLE einvoices (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      upload_id uuid NOT NULL UNIQUE REFERENCES tem_uploads(id) ON DELETE CASCADE,
      syntax text NOT NULL CHECK (syntax IN ('ubl-invoice', 'ubl-credit-note', 'cii')),
      customization_id text,
      number text NOT NULL,
      type_code text,
      credit_note boolean NOT NULL,
      issue_date date,
      due_date date,
      period_start date,
      period_end date,
      currency text,
      tax_currency text,
      buyer_reference text,
      order_reference text,
      supplier_name text,
      supplier_vat text,
      supplier_ids jsonb NOT NULL DEFAULT '[]',
      supplier_key text NOT NULL,
      customer_name text,
      customer_vat text,
      customer_ids jsonb NOT NULL DEFAULT '[]',
      line_total numeric(19, 4),
      allowance_total numeric(19, 4),
      charge_total numeric(19, 4),
      tax_exclusive numeric(19, 4),
      tax_total numeric(19, 4),
      tax_total_tax_currency numeric(19, 4),
      tax_inclusive numeric(19, 4),
      prepaid numeric(19, 4),
      rounding numeric(19, 4),
      payable numeric(19, 4),
      allowances_charges jsonb NOT NULL DEFAULT '[]',
      tax_breakdown jsonb NOT NULL DEFAULT '[]',
      findings jsonb NOT NULL DEFAULT '[]',
      line_count integer NOT NULL,
      retain_from timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, supplier_key, number)
    )`.execute(db);
  await sql`CREATE INDEX einvoices_list_idx ON einvoices (organization_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX einvoices_retain_idx ON einvoices (retain_from)`.execute(db);

  await sql`
    CREATE TABLE einvoice_lines (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      invoice_id uuid NOT NULL REFERENCES einvoices(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
      organization_id uuid NOT NULL,
      seq integer NOT NULL,
      line_id text NOT NULL,
      quantity numeric(24, 8),
      unit_code text,
      line_amount numeric(19, 4),
      price numeric(24, 8),
      price_base_quantity numeric(24, 8),
      item_name text,
      item_description text,
      period_start date,
      period_end date,
      object_id text,
      object_scheme text,
      subscription_ref text,
      tax_category text,
      tax_percent numeric(7, 4),
      properties jsonb NOT NULL DEFAULT '[]',
      allowances_charges jsonb NOT NULL DEFAULT '[]',
      UNIQUE (invoice_id, seq)
    )`.execute(db);
  await sql`CREATE INDEX einvoice_lines_subscription_idx ON einvoice_lines (organization_id, subscription_ref)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('einvoice_lines').ifExists().execute();
  await db.schema.dropTable('einvoices').ifExists().execute();
  await sql`DELETE FROM tem_uploads WHERE kind = 'einvoice'`.execute(db);
  await sql`ALTER TABLE tem_uploads DROP CONSTRAINT tem_uploads_kind_check`.execute(db);
  await sql`ALTER TABLE tem_uploads ADD CONSTRAINT tem_uploads_kind_check CHECK (kind IN ('cdr'))`.execute(db);
}
