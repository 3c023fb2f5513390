// Writing one invoice and its lines on the parse's connection (inside its transaction): the
// lines as COPY text while the file streams, the invoice when it has been read.
import type pg from 'pg';
import type { Finding } from '../../../db/schema.js';
import { copyText as field } from '../../core/copy-text.js';
import type { InvoiceHeader, InvoiceLine } from './model.js';

export interface Target {
  readonly invoiceId: string;
  readonly organizationId: string;
  readonly uploadId: string;
}

export const LINE_COLUMNS = [
  'invoice_id', 'organization_id', 'seq', 'line_id', 'quantity', 'unit_code', 'line_amount', 'price', 'price_base_quantity', 'item_name', 'item_description',
  'period_start', 'period_end', 'object_id', 'object_scheme', 'subscription_ref', 'tax_category', 'tax_percent', 'properties', 'allowances_charges',
] as const;

/** One line as a COPY text row of LINE_COLUMNS; `prefix` is `invoice_id\torganization_id\t`. */
export function copyRow(prefix: string, seq: number, l: InvoiceLine, subscription: string | null): string {
  return `${prefix}${seq}\t${field(l.lineId ?? '')}\t${field(l.quantity)}\t${field(l.unitCode)}\t${field(l.amount)}\t${field(l.price)}\t${field(l.priceBaseQuantity)}\t${field(l.itemName)}\t${field(l.itemDescription)}\t${field(l.periodStart)}\t${field(l.periodEnd)}\t${field(l.objectId)}\t${field(l.objectScheme)}\t${field(subscription)}\t${field(l.taxCategory)}\t${field(l.taxPercent)}\t${field(JSON.stringify(l.properties))}\t${field(JSON.stringify(l.allowancesCharges))}\n`;
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
