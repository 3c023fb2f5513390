// UBL 2.1 invoices and credit notes written here for tests and the invoices benchmark: valid
// EN 16931 (no finding), one VAT category (S, 21 %), totals computed in cents with BigInt so
// the expected values never pass through the parser under test. Streamed in pieces, so a
// 200,000-line file is never held whole.
export interface UblLine {
  readonly cents: bigint;
  /** BT-128, the line's object identifier (document reference type 130). */
  readonly objectId?: string;
  /** An item property (BT-160, BT-161). */
  readonly property?: readonly [string, string];
  readonly name?: string;
  readonly description?: string;
}

export interface UblOptions {
  readonly number: string;
  readonly creditNote?: boolean;
  readonly issueDate: string;
  readonly period: readonly [string, string];
  readonly supplierVat?: string;
  readonly count: number;
  readonly line: (i: number) => UblLine;
  /** Document-level allowances in cents. */
  readonly allowances?: readonly bigint[];
}

export const euros = (cents: bigint) => `${cents < 0n ? '-' : ''}${(cents < 0n ? -cents : cents) / 100n}.${String((cents < 0n ? -cents : cents) % 100n).padStart(2, '0')}`;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const money = (name: string, cents: bigint) => `<cbc:${name} currencyID="EUR">${euros(cents)}</cbc:${name}>`;
const vat = '<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>';

function party(name: string, vatNumber: string, country: string): string {
  return `<cac:Party><cac:PartyName><cbc:Name>${name}</cbc:Name></cac:PartyName><cac:PostalAddress><cbc:CityName>Utrecht</cbc:CityName><cac:Country><cbc:IdentificationCode>${country}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>` +
    `<cac:PartyTaxScheme><cbc:CompanyID>${vatNumber}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>${name}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party>`;
}

function lineXml(i: number, l: UblLine, credit: boolean): string {
  const tag = credit ? 'CreditNoteLine' : 'InvoiceLine';
  const object = l.objectId ? `<cac:DocumentReference><cbc:ID>${escape(l.objectId)}</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:DocumentReference>` : '';
  const description = l.description ? `<cbc:Description>${escape(l.description)}</cbc:Description>` : '';
  const property = l.property ? `<cac:AdditionalItemProperty><cbc:Name>${escape(l.property[0])}</cbc:Name><cbc:Value>${escape(l.property[1])}</cbc:Value></cac:AdditionalItemProperty>` : '';
  return `<cac:${tag}><cbc:ID>${i + 1}</cbc:ID><cbc:${credit ? 'CreditedQuantity' : 'InvoicedQuantity'} unitCode="C62">1</cbc:${credit ? 'CreditedQuantity' : 'InvoicedQuantity'}>${money('LineExtensionAmount', l.cents)}${object}` +
    `<cac:Item>${description}<cbc:Name>${escape(l.name ?? 'Mobiel abonnement')}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>${property}</cac:Item>` +
    `<cac:Price>${money('PriceAmount', l.cents)}</cac:Price></cac:${tag}>\n`;
}

/** The document's totals in cents: BT-106, BT-107, BT-109, BT-110, BT-112 (= BT-115). */
export function ublTotals(options: UblOptions) {
  let lineTotal = 0n;
  for (let i = 0; i < options.count; i++) lineTotal += options.line(i).cents;
  const allowanceTotal = (options.allowances ?? []).reduce((a, b) => a + b, 0n);
  const taxExclusive = lineTotal - allowanceTotal;
  // 21 %, rounded half away from zero to the cent.
  const tax = ((taxExclusive < 0n ? -1n : 1n) * ((taxExclusive < 0n ? -taxExclusive : taxExclusive) * 21n + 50n)) / 100n;
  return { lineTotal, allowanceTotal, taxExclusive, tax, payable: taxExclusive + tax };
}

/** The document in pieces of about `batch` lines. */
export function* ublPieces(options: UblOptions, batch = 2_000): Generator<string> {
  const credit = options.creditNote ?? false;
  const root = credit ? 'CreditNote' : 'Invoice';
  const t = ublTotals(options);
  const allowances = (options.allowances ?? []).map((a) => `<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Korting</cbc:AllowanceChargeReason>${money('Amount', a)}${vat}</cac:AllowanceCharge>`).join('');
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:${root}-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">` +
    `<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0</cbc:CustomizationID><cbc:ID>${options.number}</cbc:ID><cbc:IssueDate>${options.issueDate}</cbc:IssueDate>` +
    `<cbc:${root}TypeCode>${credit ? 381 : 380}</cbc:${root}TypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>TEM</cbc:BuyerReference>` +
    `<cac:InvoicePeriod><cbc:StartDate>${options.period[0]}</cbc:StartDate><cbc:EndDate>${options.period[1]}</cbc:EndDate></cac:InvoicePeriod>` +
    `<cac:AccountingSupplierParty>${party('Mobiel Netwerk B.V.', options.supplierVat ?? 'NL001234567B01', 'NL')}</cac:AccountingSupplierParty>` +
    `<cac:AccountingCustomerParty>${party('Gemeente Voorbeeld', 'NL009876543B01', 'NL')}</cac:AccountingCustomerParty>${allowances}` +
    `<cac:TaxTotal>${money('TaxAmount', t.tax)}<cac:TaxSubtotal>${money('TaxableAmount', t.taxExclusive)}${money('TaxAmount', t.tax)}${vat}</cac:TaxSubtotal></cac:TaxTotal>` +
    `<cac:LegalMonetaryTotal>${money('LineExtensionAmount', t.lineTotal)}${money('TaxExclusiveAmount', t.taxExclusive)}${money('TaxInclusiveAmount', t.payable)}` +
    `${allowances ? money('AllowanceTotalAmount', t.allowanceTotal) : ''}${money('PayableAmount', t.payable)}</cac:LegalMonetaryTotal>\n`;
  let pieces: string[] = [];
  for (let i = 0; i < options.count; i++) {
    pieces.push(lineXml(i, options.line(i), credit));
    if (pieces.length === batch) {
      yield pieces.join('');
      pieces = [];
    }
  }
  yield `${pieces.join('')}</${root}>\n`;
}

export const ublDocument = (options: UblOptions) => [...ublPieces(options)].join('');
