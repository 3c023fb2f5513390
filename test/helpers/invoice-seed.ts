// Stored e-invoices written straight into Postgres, as a parse leaves them (an upload `parsed`,
// the invoice, its lines), for tests and the benchmark of what reads them: the cost report's
// invoice lines. Lines are made by generate_series, so 420,000 of them take seconds, not a parse.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface SeededInvoice {
  readonly number: string;
  readonly supplierKey?: string;
  readonly creditNote?: boolean;
  readonly issueDate: string | null;
  readonly periodStart: string | null;
  readonly currency?: string | null;
  /** Document-level allowances (charge false) and charges (true). */
  readonly allowancesCharges?: readonly { charge: boolean; amount: string }[];
  /** Lines 1..count: line i bills `+316120000{i % numbers}` for `(i % 97) + 1` euros and 7 cents, its own period as `periodOf(i)` says (null: none). */
  readonly count: number;
  readonly numbers?: number;
  readonly periodOf?: (i: number) => string | null;
  /** Lines (1-based) stored without an amount, or restricted (art. 18). */
  readonly noAmount?: readonly number[];
  readonly restricted?: readonly number[];
}

export const seededNumber = (i: number, numbers: number) => `+316120${String(i % numbers).padStart(5, '0')}`;

export async function seedInvoice(db: Kysely<Database>, organizationId: string, invoice: SeededInvoice): Promise<string> {
  const uploadId = randomUUID();
  const invoiceId = randomUUID();
  await sql`INSERT INTO tem_uploads (id, organization_id, kind, sha256, size_bytes, status) VALUES (${uploadId}, ${organizationId}, 'einvoice', ${`seed-${uploadId}`}, 1, 'parsed')`.execute(db);
  const allowances = (invoice.allowancesCharges ?? []).map((a) => ({ ...a, base: null, percent: null, reason: null, reasonCode: null, taxCategory: null, taxPercent: null }));
  await sql`
    INSERT INTO einvoices (id, organization_id, upload_id, syntax, number, credit_note, issue_date, period_start, currency, supplier_key, allowances_charges, line_count, retain_from)
    VALUES (${invoiceId}, ${organizationId}, ${uploadId}, ${invoice.creditNote ? 'ubl-credit-note' : 'ubl-invoice'}, ${invoice.number}, ${invoice.creditNote ?? false},
            ${invoice.issueDate}::date, ${invoice.periodStart}::date, ${invoice.currency === undefined ? 'EUR' : invoice.currency}, ${invoice.supplierKey ?? 'NL001234567B01'},
            ${JSON.stringify(allowances)}::jsonb, ${invoice.count}, now() + interval '7 years')`.execute(db);
  // Own periods as an array indexed by line (generate_series cannot call back into JavaScript).
  const periods = invoice.periodOf ? Array.from({ length: invoice.count }, (_, i) => invoice.periodOf?.(i + 1) ?? null) : null;
  const numbers = invoice.numbers ?? 50;
  await sql`
    INSERT INTO einvoice_lines (invoice_id, organization_id, seq, line_id, line_amount, subscription_ref, period_start, restricted_at)
    SELECT ${invoiceId}, ${organizationId}, i, i::text,
           CASE WHEN i = ANY(${invoice.noAmount ?? []}::int[]) THEN NULL ELSE ((i % 97) + 1 + 0.07)::numeric END,
           '+316120' || lpad((i % ${numbers})::text, 5, '0'),
           (${periods}::date[])[i],
           CASE WHEN i = ANY(${invoice.restricted ?? []}::int[]) THEN now() END
      FROM generate_series(1, ${invoice.count}) i`.execute(db);
  return invoiceId;
}
