// UN/CEFACT Cross Industry Invoice (D16B, as NLCIUS-CII and Factur-X use it) mapped to the
// semantic model of EN 16931; type code 381 is a credit note. Dates (format 102) become ISO.
import type { AllowanceCharge, ItemProperty, PartyId, TaxSubtotal } from '../../../db/schema.js';
import type { InvoiceHeader, InvoiceLine, Party, SyntaxReader, Totals } from './model.js';
import { all, attr, currencyIds, is, one, text } from './xml-path.js';
import { CREDIT_NOTE_TYPES } from './kind.js';
import type { XmlNode } from './xml-stream.js';

/** udt:DateTimeString format 102 (YYYYMMDD) as YYYY-MM-DD. */
function date(node: XmlNode | undefined, path: string): string | null {
  const value = text(node, `${path}/udt:DateTimeString`);
  return value && /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value;
}

function allowancesCharges(node: XmlNode | undefined, path: string): AllowanceCharge[] {
  return all(node, path).map((ac) => ({
    charge: ['true', '1'].includes(text(ac, 'ram:ChargeIndicator/udt:Indicator') ?? ''),
    amount: text(ac, 'ram:ActualAmount') ?? '0',
    base: text(ac, 'ram:BasisAmount'),
    percent: text(ac, 'ram:CalculationPercent'),
    reason: text(ac, 'ram:Reason'),
    reasonCode: text(ac, 'ram:ReasonCode'),
    taxCategory: text(ac, 'ram:CategoryTradeTax/ram:CategoryCode'),
    taxPercent: text(ac, 'ram:CategoryTradeTax/ram:RateApplicablePercent'),
  }));
}

function party(node: XmlNode | undefined): Party {
  const ids: PartyId[] = [...all(node, 'ram:ID'), ...all(node, 'ram:GlobalID'), ...all(node, 'ram:SpecifiedLegalOrganization/ram:ID'), ...all(node, 'ram:URIUniversalCommunication/ram:URIID')].map((id) => ({
    id: id.text.trim(),
    scheme: id.attrs.schemeID ?? null,
  }));
  const vat = all(node, 'ram:SpecifiedTaxRegistration/ram:ID').find((id) => id.attrs.schemeID === 'VA');
  return {
    name: text(node, 'ram:Name'),
    vat: vat?.text.trim() || null,
    ids,
    hasAddress: one(node, 'ram:PostalTradeAddress') !== undefined,
    country: text(node, 'ram:PostalTradeAddress/ram:CountryID'),
  };
}

function totals(settlement: XmlNode | undefined, currency: string | null, taxCurrency: string | null): Totals {
  const money = one(settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation');
  const taxTotals = all(money, 'ram:TaxTotalAmount');
  const inCurrency = (code: string | null) => taxTotals.find((t) => t.attrs.currencyID === code)?.text.trim() ?? null;
  return {
    lineTotal: text(money, 'ram:LineTotalAmount'),
    allowanceTotal: text(money, 'ram:AllowanceTotalAmount'),
    chargeTotal: text(money, 'ram:ChargeTotalAmount'),
    taxExclusive: text(money, 'ram:TaxBasisTotalAmount'),
    taxTotal: inCurrency(currency) ?? taxTotals[0]?.text.trim() ?? null,
    taxTotalTaxCurrency: taxCurrency && taxCurrency !== currency ? inCurrency(taxCurrency) : null,
    taxInclusive: text(money, 'ram:GrandTotalAmount'),
    prepaid: text(money, 'ram:TotalPrepaidAmount'),
    rounding: text(money, 'ram:RoundingAmount'),
    payable: text(money, 'ram:DuePayableAmount'),
  };
}

function header(root: XmlNode): InvoiceHeader {
  const trade = one(root, 'rsm:SupplyChainTradeTransaction');
  const agreement = one(trade, 'ram:ApplicableHeaderTradeAgreement');
  const settlement = one(trade, 'ram:ApplicableHeaderTradeSettlement');
  const typeCode = text(root, 'rsm:ExchangedDocument/ram:TypeCode');
  const currency = text(settlement, 'ram:InvoiceCurrencyCode');
  const taxCurrency = text(settlement, 'ram:TaxCurrencyCode');
  const taxBreakdown: TaxSubtotal[] = all(settlement, 'ram:ApplicableTradeTax').map((t) => ({
    category: text(t, 'ram:CategoryCode'),
    percent: text(t, 'ram:RateApplicablePercent'),
    taxable: text(t, 'ram:BasisAmount'),
    tax: text(t, 'ram:CalculatedAmount'),
    exemptionReason: text(t, 'ram:ExemptionReason'),
  }));
  return {
    syntax: 'cii',
    customizationId: text(root, 'rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID'),
    number: text(root, 'rsm:ExchangedDocument/ram:ID'),
    typeCode,
    creditNote: typeCode !== null && CREDIT_NOTE_TYPES.includes(typeCode),
    issueDate: date(root, 'rsm:ExchangedDocument/ram:IssueDateTime'),
    dueDate: date(settlement, 'ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime'),
    periodStart: date(settlement, 'ram:BillingSpecifiedPeriod/ram:StartDateTime'),
    periodEnd: date(settlement, 'ram:BillingSpecifiedPeriod/ram:EndDateTime'),
    currency,
    taxCurrency,
    buyerReference: text(agreement, 'ram:BuyerReference'),
    orderReference: text(agreement, 'ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID'),
    supplier: party(one(agreement, 'ram:SellerTradeParty')),
    customer: party(one(agreement, 'ram:BuyerTradeParty')),
    allowancesCharges: allowancesCharges(settlement, 'ram:SpecifiedTradeAllowanceCharge'),
    taxBreakdown,
    totals: totals(settlement, currency, taxCurrency),
    // The tax total may be stated twice, the second in the tax currency (BT-111).
    totalCurrencies: currencyIds(one(settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation')?.children.filter((c) => c.local !== 'TaxTotalAmount') ?? []),
  };
}

function line(node: XmlNode): InvoiceLine {
  const product = one(node, 'ram:SpecifiedTradeProduct');
  const price = one(node, 'ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice');
  const quantity = one(node, 'ram:SpecifiedLineTradeDelivery/ram:BilledQuantity');
  const settlement = one(node, 'ram:SpecifiedLineTradeSettlement');
  const net = one(settlement, 'ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount');
  // BT-128: the line's referenced document of type 130 (invoiced object).
  const object = all(settlement, 'ram:AdditionalReferencedDocument').find((d) => text(d, 'ram:TypeCode') === '130');
  const properties: ItemProperty[] = all(product, 'ram:ApplicableProductCharacteristic').map((p) => ({ name: text(p, 'ram:Description') ?? '', value: text(p, 'ram:Value') ?? '' }));
  return {
    lineId: text(node, 'ram:AssociatedDocumentLineDocument/ram:LineID'),
    quantity: quantity?.text.trim() || null,
    unitCode: quantity?.attrs.unitCode ?? null,
    amount: net?.text.trim() || null,
    amountCurrency: net?.attrs.currencyID ?? null,
    price: text(price, 'ram:ChargeAmount'),
    priceBaseQuantity: text(price, 'ram:BasisQuantity'),
    itemName: text(product, 'ram:Name'),
    itemDescription: text(product, 'ram:Description'),
    periodStart: date(settlement, 'ram:BillingSpecifiedPeriod/ram:StartDateTime'),
    periodEnd: date(settlement, 'ram:BillingSpecifiedPeriod/ram:EndDateTime'),
    objectId: text(object, 'ram:IssuerAssignedID'),
    objectScheme: attr(object, 'ram:ReferenceTypeCode', 'schemeID') ?? text(object, 'ram:ReferenceTypeCode'),
    taxCategory: text(settlement, 'ram:ApplicableTradeTax/ram:CategoryCode'),
    taxPercent: text(settlement, 'ram:ApplicableTradeTax/ram:RateApplicablePercent'),
    properties,
    allowancesCharges: allowancesCharges(settlement, 'ram:SpecifiedTradeAllowanceCharge'),
  };
}

export const ciiReader: SyntaxReader = {
  isLine: (node) => is(node, 'ram:IncludedSupplyChainTradeLineItem'),
  line,
  header,
};
