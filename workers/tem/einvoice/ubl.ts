// UBL 2.1 Invoice and CreditNote (Peppol BIS Billing 3.0, NLCIUS / SI-UBL 2.0) mapped to the
// semantic model of EN 16931. Amounts stay the document's strings.
import type { AllowanceCharge, ItemProperty, PartyId, TaxSubtotal } from '../../../db/schema.js';
import type { InvoiceHeader, InvoiceLine, Party, SyntaxReader } from './model.js';
import { all, attr, currencyIds, is, one, text } from './xml-path.js';
import { CREDIT_NOTE_TYPES } from './kind.js';
import type { XmlNode } from './xml-stream.js';

function allowancesCharges(node: XmlNode): AllowanceCharge[] {
  return all(node, 'cac:AllowanceCharge').map((ac) => ({
    charge: ['true', '1'].includes(text(ac, 'cbc:ChargeIndicator') ?? ''),
    amount: text(ac, 'cbc:Amount') ?? '0',
    base: text(ac, 'cbc:BaseAmount'),
    percent: text(ac, 'cbc:MultiplierFactorNumeric'),
    reason: text(ac, 'cbc:AllowanceChargeReason'),
    reasonCode: text(ac, 'cbc:AllowanceChargeReasonCode'),
    taxCategory: text(ac, 'cac:TaxCategory/cbc:ID'),
    taxPercent: text(ac, 'cac:TaxCategory/cbc:Percent'),
  }));
}

function party(node: XmlNode | undefined): Party {
  const ids: PartyId[] = [
    ...all(node, 'cbc:EndpointID'),
    ...all(node, 'cac:PartyIdentification/cbc:ID'),
    ...all(node, 'cac:PartyLegalEntity/cbc:CompanyID'),
  ].map((id) => ({ id: id.text.trim(), scheme: id.attrs.schemeID ?? null }));
  const vat = all(node, 'cac:PartyTaxScheme').find((s) => text(s, 'cac:TaxScheme/cbc:ID') === 'VAT');
  return {
    name: text(node, 'cac:PartyName/cbc:Name') ?? text(node, 'cac:PartyLegalEntity/cbc:RegistrationName'),
    vat: text(vat, 'cbc:CompanyID'),
    ids,
    hasAddress: one(node, 'cac:PostalAddress') !== undefined,
    country: text(node, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode'),
  };
}

function taxBreakdown(total: XmlNode | undefined): TaxSubtotal[] {
  return all(total, 'cac:TaxSubtotal').map((s) => ({
    category: text(s, 'cac:TaxCategory/cbc:ID'),
    percent: text(s, 'cac:TaxCategory/cbc:Percent'),
    taxable: text(s, 'cbc:TaxableAmount'),
    tax: text(s, 'cbc:TaxAmount'),
    exemptionReason: text(s, 'cac:TaxCategory/cbc:TaxExemptionReason'),
  }));
}

function header(root: XmlNode): InvoiceHeader {
  const isCreditNoteRoot = root.local === 'CreditNote';
  const typeCode = text(root, isCreditNoteRoot ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode');
  // EN 16931 lets a UBL Invoice carry a credit note's type code (381): it counts negative as in CII.
  const creditNote = isCreditNoteRoot || (typeCode !== null && CREDIT_NOTE_TYPES.includes(typeCode));
  const currency = text(root, 'cbc:DocumentCurrencyCode');
  const taxCurrency = text(root, 'cbc:TaxCurrencyCode');
  const taxTotals = all(root, 'cac:TaxTotal');
  // BT-110 is the tax total in the document currency (the one with the breakdown); BT-111 the other.
  const inDocument = taxTotals.find((t) => attr(t, 'cbc:TaxAmount', 'currencyID') === currency) ?? taxTotals[0];
  const inTaxCurrency = taxCurrency && taxCurrency !== currency ? taxTotals.find((t) => attr(t, 'cbc:TaxAmount', 'currencyID') === taxCurrency) : undefined;
  const money = one(root, 'cac:LegalMonetaryTotal');
  return {
    syntax: isCreditNoteRoot ? 'ubl-credit-note' : 'ubl-invoice',
    customizationId: text(root, 'cbc:CustomizationID'),
    number: text(root, 'cbc:ID'),
    typeCode,
    creditNote,
    issueDate: text(root, 'cbc:IssueDate'),
    dueDate: text(root, 'cbc:DueDate') ?? text(root, 'cac:PaymentMeans/cbc:PaymentDueDate'),
    periodStart: text(root, 'cac:InvoicePeriod/cbc:StartDate'),
    periodEnd: text(root, 'cac:InvoicePeriod/cbc:EndDate'),
    currency,
    taxCurrency,
    buyerReference: text(root, 'cbc:BuyerReference'),
    orderReference: text(root, 'cac:OrderReference/cbc:ID'),
    supplier: party(one(root, 'cac:AccountingSupplierParty/cac:Party')),
    customer: party(one(root, 'cac:AccountingCustomerParty/cac:Party')),
    allowancesCharges: allowancesCharges(root),
    taxBreakdown: taxBreakdown(inDocument),
    totals: {
      lineTotal: text(money, 'cbc:LineExtensionAmount'),
      allowanceTotal: text(money, 'cbc:AllowanceTotalAmount'),
      chargeTotal: text(money, 'cbc:ChargeTotalAmount'),
      taxExclusive: text(money, 'cbc:TaxExclusiveAmount'),
      taxTotal: text(inDocument, 'cbc:TaxAmount'),
      taxTotalTaxCurrency: text(inTaxCurrency, 'cbc:TaxAmount'),
      taxInclusive: text(money, 'cbc:TaxInclusiveAmount'),
      prepaid: text(money, 'cbc:PrepaidAmount'),
      rounding: text(money, 'cbc:PayableRoundingAmount'),
      payable: text(money, 'cbc:PayableAmount'),
    },
    totalCurrencies: currencyIds(money?.children ?? []),
  };
}

function line(node: XmlNode): InvoiceLine {
  const quantity = one(node, 'cbc:InvoicedQuantity') ?? one(node, 'cbc:CreditedQuantity');
  const net = one(node, 'cbc:LineExtensionAmount');
  // BT-128: the line's document reference of type 130 (invoiced object).
  const object = all(node, 'cac:DocumentReference').find((d) => text(d, 'cbc:DocumentTypeCode') === '130');
  const properties: ItemProperty[] = all(node, 'cac:Item/cac:AdditionalItemProperty').map((p) => ({ name: text(p, 'cbc:Name') ?? '', value: text(p, 'cbc:Value') ?? '' }));
  return {
    lineId: text(node, 'cbc:ID'),
    quantity: quantity?.text.trim() || null,
    unitCode: quantity?.attrs.unitCode ?? null,
    amount: net?.text.trim() || null,
    amountCurrency: net?.attrs.currencyID ?? null,
    price: text(node, 'cac:Price/cbc:PriceAmount'),
    priceBaseQuantity: text(node, 'cac:Price/cbc:BaseQuantity'),
    itemName: text(node, 'cac:Item/cbc:Name'),
    itemDescription: text(node, 'cac:Item/cbc:Description'),
    periodStart: text(node, 'cac:InvoicePeriod/cbc:StartDate'),
    periodEnd: text(node, 'cac:InvoicePeriod/cbc:EndDate'),
    objectId: text(object, 'cbc:ID'),
    objectScheme: attr(object, 'cbc:ID', 'schemeID'),
    taxCategory: text(node, 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID'),
    taxPercent: text(node, 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent'),
    properties,
    allowancesCharges: allowancesCharges(node),
  };
}

export const ublReader: SyntaxReader = {
  isLine: (node) => is(node, 'cac:InvoiceLine') || is(node, 'cac:CreditNoteLine'),
  line,
  header,
};
