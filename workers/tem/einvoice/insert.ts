// Writing one invoice and its lines on the parse's connection (inside its transaction).
import type pg from 'pg';
import type { Finding } from '../../../db/schema.js';
import type { InvoiceHeader, InvoiceLine } from './model.js';

export interface Target {
  readonly invoiceId: string;
  readonly organizationId: string;
  readonly uploadId: string;
}

/** Lines in one statement each batch; `first` is the seq of the batch's first line; `subscriptionOf` allocates a line. */
export async function insertLines(client: pg.Client, target: Target, lines: readonly InvoiceLine[], first: number, subscriptionOf: (line: InvoiceLine) => string | null): Promise<void> {
  if (lines.length === 0) return;
  const col = <T>(pick: (l: InvoiceLine) => T) => lines.map(pick);
  await client.query(
    `INSERT INTO einvoice_lines (invoice_id, organization_id, seq, line_id, quantity, unit_code, line_amount, price, price_base_quantity, item_name, item_description,
       period_start, period_end, object_id, object_scheme, subscription_ref, tax_category, tax_percent, properties, allowances_charges)
     SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::numeric[], $6::text[], $7::numeric[], $8::numeric[], $9::numeric[], $10::text[], $11::text[],
       $12::date[], $13::date[], $14::text[], $15::text[], $16::text[], $17::text[], $18::numeric[], $19::jsonb[], $20::jsonb[])`,
    [
      target.invoiceId, target.organizationId,
      lines.map((_, i) => first + i), col((l) => l.lineId ?? ''), col((l) => l.quantity), col((l) => l.unitCode), col((l) => l.amount), col((l) => l.price),
      col((l) => l.priceBaseQuantity), col((l) => l.itemName), col((l) => l.itemDescription), col((l) => l.periodStart), col((l) => l.periodEnd),
      col((l) => l.objectId), col((l) => l.objectScheme), col(subscriptionOf), col((l) => l.taxCategory), col((l) => l.taxPercent),
      col((l) => JSON.stringify(l.properties)), col((l) => JSON.stringify(l.allowancesCharges)),
    ],
  );
}

/** The key a supplier is known by for repeats: its VAT number, else its first identifier, else its name. */
export const supplierKey = (header: InvoiceHeader) => header.supplier.vat ?? header.supplier.ids[0]?.id ?? header.supplier.name ?? '';

export async function insertInvoice(client: pg.Client, target: Target, header: InvoiceHeader, lineCount: number, findings: readonly Finding[]): Promise<void> {
  const t = header.totals;
  await client.query(
    `INSERT INTO einvoices (id, organization_id, upload_id, syntax, customization_id, number, type_code, credit_note, issue_date, due_date, period_start, period_end,
       currency, tax_currency, buyer_reference, order_reference, supplier_name, supplier_vat, supplier_ids, supplier_key, customer_name, customer_vat, customer_ids,
       line_total, allowance_total, charge_total, tax_exclusive, tax_total, tax_total_tax_currency, tax_inclusive, prepaid, rounding, payable,
       allowances_charges, tax_breakdown, findings, line_count, retain_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
       $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37,
       date_trunc('year', coalesce($9::date, current_date)) + interval '1 year')`,
    [
      target.invoiceId, target.organizationId, target.uploadId, header.syntax, header.customizationId, header.number, header.typeCode, header.creditNote,
      header.issueDate, header.dueDate, header.periodStart, header.periodEnd, header.currency, header.taxCurrency, header.buyerReference, header.orderReference,
      header.supplier.name, header.supplier.vat, JSON.stringify(header.supplier.ids), supplierKey(header), header.customer.name, header.customer.vat, JSON.stringify(header.customer.ids),
      t.lineTotal, t.allowanceTotal, t.chargeTotal, t.taxExclusive, t.taxTotal, t.taxTotalTaxCurrency, t.taxInclusive, t.prepaid, t.rounding, t.payable,
      JSON.stringify(header.allowancesCharges), JSON.stringify(header.taxBreakdown), JSON.stringify(findings), lineCount,
    ],
  );
}
