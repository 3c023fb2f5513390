// One electronic invoice as read from either syntax, before it is stored.
import type { AllowanceCharge, ItemProperty, PartyId, TaxSubtotal } from '../../../db/schema.js';
import type { EinvoiceSyntax } from './kind.js';
import type { XmlNode } from './xml-stream.js';

export interface Party {
  readonly name: string | null;
  readonly vat: string | null;
  readonly ids: PartyId[];
  readonly hasAddress: boolean;
  readonly country: string | null;
}

/** BT-106 to BT-115 as the document states them (null when absent). */
export interface Totals {
  readonly lineTotal: string | null;
  readonly allowanceTotal: string | null;
  readonly chargeTotal: string | null;
  readonly taxExclusive: string | null;
  readonly taxTotal: string | null;
  readonly taxTotalTaxCurrency: string | null;
  readonly taxInclusive: string | null;
  readonly prepaid: string | null;
  readonly rounding: string | null;
  readonly payable: string | null;
}

export interface InvoiceHeader {
  readonly syntax: EinvoiceSyntax;
  readonly customizationId: string | null;
  readonly number: string | null;
  readonly typeCode: string | null;
  readonly creditNote: boolean;
  readonly issueDate: string | null;
  readonly dueDate: string | null;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly currency: string | null;
  readonly taxCurrency: string | null;
  readonly buyerReference: string | null;
  readonly orderReference: string | null;
  readonly supplier: Party;
  readonly customer: Party;
  readonly allowancesCharges: AllowanceCharge[];
  readonly taxBreakdown: TaxSubtotal[];
  readonly totals: Totals;
  /** The currencyID of each document total stated in the document currency (BT-106 to BT-115 bar BT-111), as written. */
  readonly totalCurrencies: string[];
}

export interface InvoiceLine {
  readonly lineId: string | null;
  readonly quantity: string | null;
  readonly unitCode: string | null;
  readonly amount: string | null;
  /** The currencyID of the net amount (BT-131), as written; null when it has none (CII may leave it out). */
  readonly amountCurrency: string | null;
  readonly price: string | null;
  readonly priceBaseQuantity: string | null;
  readonly itemName: string | null;
  readonly itemDescription: string | null;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly objectId: string | null;
  readonly objectScheme: string | null;
  readonly taxCategory: string | null;
  readonly taxPercent: string | null;
  readonly properties: ItemProperty[];
  readonly allowancesCharges: AllowanceCharge[];
}

/** How a syntax is read: which elements are lines, and how a line and the header map. */
export interface SyntaxReader {
  readonly isLine: (node: XmlNode) => boolean;
  readonly line: (node: XmlNode) => InvoiceLine;
  readonly header: (root: XmlNode) => InvoiceHeader;
}
