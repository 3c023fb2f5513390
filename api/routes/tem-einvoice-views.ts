// What the e-invoice routes answer: amounts as decimal strings exactly as stored.
import { z } from 'zod';
import type { Einvoice } from '../../db/schema.js';
import type { AllocatedLine } from '../../workers/tem/einvoice/queries.js';
import { day } from './tem-views.js';

const amount = z.string().nullable().describe('an exact decimal string, with the document\'s sign');
const partyId = z.object({ id: z.string(), scheme: z.string().nullable() });
const allowanceCharge = z.object({ charge: z.boolean(), amount: z.string(), base: z.string().nullable(), percent: z.string().nullable(), reason: z.string().nullable(), reasonCode: z.string().nullable(), taxCategory: z.string().nullable(), taxPercent: z.string().nullable() });
const finding = z.object({ rule: z.string(), message: z.string(), expected: z.string().nullable(), found: z.string().nullable() });

export const einvoiceSummarySchema = z.object({
  id: z.uuid(),
  uploadId: z.uuid(),
  syntax: z.enum(['ubl-invoice', 'ubl-credit-note', 'cii']),
  number: z.string(),
  creditNote: z.boolean().describe('its amounts count negative in reports'),
  issueDate: z.string().nullable(),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  currency: z.string().nullable(),
  supplier: z.object({ name: z.string().nullable(), vat: z.string().nullable() }),
  totals: z.object({ lineTotal: amount, allowanceTotal: amount, chargeTotal: amount, taxExclusive: amount, taxTotal: amount, taxTotalTaxCurrency: amount, taxInclusive: amount, prepaid: amount, rounding: amount, payable: amount }).describe('BT-106 to BT-115 as the document states them'),
  lineCount: z.number().int(),
  findingsCount: z.number().int(),
  createdAt: z.string(),
});

export const einvoiceSchema = einvoiceSummarySchema.extend({
  customizationId: z.string().nullable(),
  typeCode: z.string().nullable(),
  dueDate: z.string().nullable(),
  taxCurrency: z.string().nullable(),
  buyerReference: z.string().nullable(),
  orderReference: z.string().nullable(),
  supplier: z.object({ name: z.string().nullable(), vat: z.string().nullable(), ids: z.array(partyId) }),
  customer: z.object({ name: z.string().nullable(), vat: z.string().nullable(), ids: z.array(partyId) }),
  allowancesCharges: z.array(allowanceCharge),
  taxBreakdown: z.array(z.object({ category: z.string().nullable(), percent: z.string().nullable(), taxable: z.string().nullable(), tax: z.string().nullable(), exemptionReason: z.string().nullable() })),
  findings: z.array(finding).describe('EN 16931 rules the invoice breaks, with the expected and the found amount'),
});

export const einvoiceLineSchema = z.object({
  seq: z.number().int(),
  lineId: z.string(),
  quantity: amount,
  unitCode: z.string().nullable(),
  lineAmount: amount,
  price: amount,
  priceBaseQuantity: amount,
  itemName: z.string().nullable(),
  itemDescription: z.string().nullable(),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  objectId: z.string().nullable().describe('BT-128'),
  objectScheme: z.string().nullable(),
  subscription: z.string().nullable().describe("E.164: the subscription the line bills, by the profile's rules (BT-128, an item property, the description); null: unallocated"),
  costCentre: z.string().nullable().describe("the subscription's cost centre (ours, else the carrier's); null: none known or unallocated"),
  taxCategory: z.string().nullable(),
  taxPercent: amount,
  properties: z.array(z.object({ name: z.string(), value: z.string() })),
  allowancesCharges: z.array(allowanceCharge),
});

export const toEinvoiceSummary = (e: Einvoice): z.infer<typeof einvoiceSummarySchema> => ({
  id: e.id,
  uploadId: e.upload_id,
  syntax: e.syntax,
  number: e.number,
  creditNote: e.credit_note,
  issueDate: day(e.issue_date),
  periodStart: day(e.period_start),
  periodEnd: day(e.period_end),
  currency: e.currency,
  supplier: { name: e.supplier_name, vat: e.supplier_vat },
  totals: {
    lineTotal: e.line_total, allowanceTotal: e.allowance_total, chargeTotal: e.charge_total, taxExclusive: e.tax_exclusive, taxTotal: e.tax_total,
    taxTotalTaxCurrency: e.tax_total_tax_currency, taxInclusive: e.tax_inclusive, prepaid: e.prepaid, rounding: e.rounding, payable: e.payable,
  },
  lineCount: e.line_count,
  findingsCount: e.findings.length,
  createdAt: e.created_at.toISOString(),
});

export const toEinvoice = (e: Einvoice): z.infer<typeof einvoiceSchema> => ({
  ...toEinvoiceSummary(e),
  customizationId: e.customization_id,
  typeCode: e.type_code,
  dueDate: day(e.due_date),
  taxCurrency: e.tax_currency,
  buyerReference: e.buyer_reference,
  orderReference: e.order_reference,
  supplier: { name: e.supplier_name, vat: e.supplier_vat, ids: e.supplier_ids },
  customer: { name: e.customer_name, vat: e.customer_vat, ids: e.customer_ids },
  allowancesCharges: e.allowances_charges,
  taxBreakdown: e.tax_breakdown,
  findings: e.findings,
});

export const toEinvoiceLine = (l: AllocatedLine): z.infer<typeof einvoiceLineSchema> => ({
  seq: l.seq,
  lineId: l.line_id,
  quantity: l.quantity,
  unitCode: l.unit_code,
  lineAmount: l.line_amount,
  price: l.price,
  priceBaseQuantity: l.price_base_quantity,
  itemName: l.item_name,
  itemDescription: l.item_description,
  periodStart: day(l.period_start),
  periodEnd: day(l.period_end),
  objectId: l.object_id,
  objectScheme: l.object_scheme,
  subscription: l.subscription_ref,
  costCentre: l.cost_centre,
  taxCategory: l.tax_category,
  taxPercent: l.tax_percent,
  properties: l.properties,
  allowancesCharges: l.allowances_charges,
});
