// Table types of electronic invoices (TEM part 2), joined into Database by db/schema.ts.
import type { ColumnType, Generated, Selectable } from 'kysely';

/** numeric: an exact decimal, always a string (never a float). */
type Decimal = ColumnType<string, string, string>;
/** date: read as local midnight; written as 'YYYY-MM-DD'. */
type DateOnly = ColumnType<Date, string, string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export interface PartyId {
  readonly id: string;
  readonly scheme: string | null;
}
export interface AllowanceCharge {
  readonly charge: boolean;
  readonly amount: string;
  readonly base: string | null;
  readonly percent: string | null;
  readonly reason: string | null;
  readonly reasonCode: string | null;
  readonly taxCategory: string | null;
  readonly taxPercent: string | null;
}
export interface TaxSubtotal {
  readonly category: string | null;
  readonly percent: string | null;
  readonly taxable: string | null;
  readonly tax: string | null;
  readonly exemptionReason: string | null;
}
/** A rule of EN 16931 the invoice breaks: the amount it expects and the one found (null when absent). */
export interface Finding {
  readonly rule: string;
  readonly message: string;
  readonly expected: string | null;
  readonly found: string | null;
}
export interface ItemProperty {
  readonly name: string;
  readonly value: string;
}

export interface EinvoiceTable {
  id: string;
  organization_id: string;
  upload_id: string;
  syntax: 'ubl-invoice' | 'ubl-credit-note' | 'cii';
  customization_id: string | null;
  number: string;
  type_code: string | null;
  credit_note: boolean;
  issue_date: DateOnly | null;
  due_date: DateOnly | null;
  period_start: DateOnly | null;
  period_end: DateOnly | null;
  currency: string | null;
  tax_currency: string | null;
  buyer_reference: string | null;
  order_reference: string | null;
  supplier_name: string | null;
  supplier_vat: string | null;
  supplier_ids: Json<PartyId[]>;
  supplier_key: string;
  customer_name: string | null;
  customer_vat: string | null;
  customer_ids: Json<PartyId[]>;
  line_total: Decimal | null;
  allowance_total: Decimal | null;
  charge_total: Decimal | null;
  tax_exclusive: Decimal | null;
  tax_total: Decimal | null;
  tax_total_tax_currency: Decimal | null;
  tax_inclusive: Decimal | null;
  prepaid: Decimal | null;
  rounding: Decimal | null;
  payable: Decimal | null;
  allowances_charges: Json<AllowanceCharge[]>;
  tax_breakdown: Json<TaxSubtotal[]>;
  findings: Json<Finding[]>;
  line_count: number;
  /** The end of the fiscal year of the issue date: the retention clock (7 years, AWR art. 52). */
  retain_from: ColumnType<Date, Date | string, Date | string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  /** Set when a person's erasure kept this invoice under P8: stored, never processed further. */
  restricted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EinvoiceLineTable {
  id: Generated<number>;
  invoice_id: string;
  organization_id: string;
  seq: number;
  line_id: string;
  quantity: Decimal | null;
  unit_code: string | null;
  line_amount: Decimal | null;
  price: Decimal | null;
  price_base_quantity: Decimal | null;
  item_name: string | null;
  item_description: string | null;
  period_start: DateOnly | null;
  period_end: DateOnly | null;
  /** BT-128, the invoice line object identifier, and its scheme. */
  object_id: string | null;
  object_scheme: string | null;
  /** The subscription the line names (BT-128, or an item property naming one). */
  subscription_ref: string | null;
  tax_category: string | null;
  tax_percent: Decimal | null;
  properties: Json<ItemProperty[]>;
  allowances_charges: Json<AllowanceCharge[]>;
  restricted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EinvoiceDatabase {
  einvoices: EinvoiceTable;
  einvoice_lines: EinvoiceLineTable;
}

export type Einvoice = Selectable<EinvoiceTable>;
export type EinvoiceLine = Selectable<EinvoiceLineTable>;
