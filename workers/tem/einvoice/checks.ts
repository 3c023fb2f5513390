// EN 16931's calculation rules (BR-CO-10 to BR-CO-16) with exact decimals, amounts compared
// rounded to 2 places, and the core's mandatory fields (BR-01 to BR-15): findings, never fixes.
// An invoice without a line (BR-16) is rejected before these (parse-einvoice.ts).
import type { Finding } from '../../../db/schema.js';
import { isDecimal, minus, round2, sameAmount, sum } from './decimal.js';
import type { InvoiceHeader } from './model.js';

const amount = (value: string | null) => (value !== null && isDecimal(value) ? value : null);

function rule(findings: Finding[], name: string, message: string, expected: string, found: string | null): void {
  if (found === null || !sameAmount(expected, found)) findings.push({ rule: name, message, expected: round2(expected), found });
}

/** The calculation rules, given the sum of the line net amounts read while streaming. */
export function calculationFindings(header: InvoiceHeader, lineSum: string): Finding[] {
  const t = header.totals;
  const findings: Finding[] = [];
  const docAllowances = header.allowancesCharges.filter((a) => !a.charge).map((a) => a.amount);
  const docCharges = header.allowancesCharges.filter((a) => a.charge).map((a) => a.amount);
  const lineTotal = amount(t.lineTotal);
  const allowanceTotal = amount(t.allowanceTotal) ?? '0';
  const chargeTotal = amount(t.chargeTotal) ?? '0';
  rule(findings, 'BR-CO-10', 'sum of invoice line net amounts = BT-106', lineSum, lineTotal);
  if (docAllowances.length > 0 || t.allowanceTotal !== null) rule(findings, 'BR-CO-11', 'sum of document level allowances = BT-107', sum(docAllowances), amount(t.allowanceTotal));
  if (docCharges.length > 0 || t.chargeTotal !== null) rule(findings, 'BR-CO-12', 'sum of document level charges = BT-108', sum(docCharges), amount(t.chargeTotal));
  if (lineTotal !== null) rule(findings, 'BR-CO-13', 'BT-109 = BT-106 - BT-107 + BT-108', sum([lineTotal, minus(allowanceTotal), chargeTotal]), amount(t.taxExclusive));
  const subtotals = header.taxBreakdown.map((s) => amount(s.tax) ?? '0');
  if (subtotals.length > 0) rule(findings, 'BR-CO-14', 'BT-110 = sum of VAT category tax amounts (BT-117)', sum(subtotals), amount(t.taxTotal));
  const taxExclusive = amount(t.taxExclusive);
  if (taxExclusive !== null) rule(findings, 'BR-CO-15', 'BT-112 = BT-109 + BT-110', sum([taxExclusive, amount(t.taxTotal) ?? '0']), amount(t.taxInclusive));
  const taxInclusive = amount(t.taxInclusive);
  if (taxInclusive !== null) rule(findings, 'BR-CO-16', 'BT-115 = BT-112 - BT-113 + BT-114', sum([taxInclusive, minus(amount(t.prepaid) ?? '0'), amount(t.rounding) ?? '0']), amount(t.payable));
  return findings;
}

/** EN 16931's BR-DEC rules of the document totals (BT-106 to BT-115): at most 2 decimals each. */
const TOTAL_DECIMAL_RULES: readonly [keyof InvoiceHeader['totals'], string, string][] = [
  ['lineTotal', 'BR-DEC-09', 'BT-106'],
  ['allowanceTotal', 'BR-DEC-10', 'BT-107'],
  ['chargeTotal', 'BR-DEC-11', 'BT-108'],
  ['taxExclusive', 'BR-DEC-12', 'BT-109'],
  ['taxTotal', 'BR-DEC-13', 'BT-110'],
  ['taxInclusive', 'BR-DEC-14', 'BT-112'],
  ['taxTotalTaxCurrency', 'BR-DEC-15', 'BT-111'],
  ['prepaid', 'BR-DEC-16', 'BT-113'],
  ['rounding', 'BR-DEC-17', 'BT-114'],
  ['payable', 'BR-DEC-18', 'BT-115'],
];

/** More than the 2 decimals EN 16931 allows an amount: stored rounded to 4, so the stored figures may not add up to the document's. */
export const overTwoDecimals = (value: string) => /\.\d{3,}$/.test(value);

/**
 * The decimal rules: totals, and the lines' net amounts (BR-DEC-23; `lines` of them, the first
 * such amount as found). Postgres keeps amounts to 4 places; an amount of 0.00004 a line would
 * be stored as 0 on every line while the document's totals count it.
 */
export function decimalFindings(header: InvoiceHeader, lines: { readonly count: number; readonly first: string | null }): Finding[] {
  const findings: Finding[] = TOTAL_DECIMAL_RULES.flatMap(([field, name, term]) => {
    const value = header.totals[field];
    return value !== null && overTwoDecimals(value) ? [{ rule: name, message: `${term} has more than 2 decimals`, expected: null, found: value.slice(0, 40) }] : [];
  });
  if (lines.count > 0) findings.push({ rule: 'BR-DEC-23', message: `${lines.count} invoice line(s) with a net amount (BT-131) of more than 2 decimals`, expected: null, found: lines.first?.slice(0, 40) ?? null });
  return findings;
}

/** The invoice currency as stored: an ISO 4217 code in capitals ('eur' is EUR); other text as written (and a finding). */
export const invoiceCurrency = (code: string | null): string | null => (code !== null && /^[a-z]{3}$/i.test(code) ? code.toUpperCase() : code);

/**
 * The currency rules: BT-5 must be an ISO 4217 code (BR-CL-04), and every amount must be in it
 * (PEPPOL-EN16931-R051; BT-111, the tax total in the tax currency, aside). An amount in another
 * currency would be counted as BT-5 by the cost report: flagged, not converted.
 * `lineCurrencies`: the lines' net amount currencyIDs, with how many lines state each.
 */
export function currencyFindings(header: InvoiceHeader, lineCurrencies: ReadonlyMap<string, number>): Finding[] {
  const currency = invoiceCurrency(header.currency);
  if (currency === null) return [];
  if (!/^[A-Z]{3}$/.test(currency)) return [{ rule: 'BR-CL-04', message: 'the invoice currency code (BT-5) is not an ISO 4217 code', expected: null, found: currency.slice(0, 40) }];
  const findings: Finding[] = [];
  const totals = [...new Set(header.totalCurrencies.map((c) => c.trim()))].filter((c) => c !== currency);
  if (totals.length > 0) findings.push({ rule: 'PEPPOL-EN16931-R051', message: 'document totals are not in the invoice currency (BT-5)', expected: currency, found: totals.join(', ').slice(0, 40) });
  const lines = [...lineCurrencies].filter(([c]) => c.trim() !== currency);
  if (lines.length > 0) {
    const count = lines.reduce((n, [, k]) => n + k, 0);
    findings.push({ rule: 'PEPPOL-EN16931-R051', message: `${count} invoice line(s) with a net amount (BT-131) not in the invoice currency (BT-5)`, expected: currency, found: lines.map(([c]) => c).join(', ').slice(0, 40) });
  }
  return findings;
}

/** The core's mandatory fields the invoice lacks. */
export function mandatoryFindings(header: InvoiceHeader): Finding[] {
  const t = header.totals;
  const required: [string, string, unknown][] = [
    ['BR-01', 'specification identifier (BT-24)', header.customizationId],
    ['BR-02', 'invoice number (BT-1)', header.number],
    ['BR-03', 'issue date (BT-2)', header.issueDate],
    ['BR-04', 'invoice type code (BT-3)', header.typeCode],
    ['BR-05', 'invoice currency code (BT-5)', header.currency],
    ['BR-06', 'seller name (BT-27)', header.supplier.name],
    ['BR-07', 'buyer name (BT-44)', header.customer.name],
    ['BR-08', 'seller postal address (BG-5)', header.supplier.hasAddress || null],
    ['BR-09', 'seller country code (BT-40)', header.supplier.country],
    ['BR-10', 'buyer postal address (BG-8)', header.customer.hasAddress || null],
    ['BR-11', 'buyer country code (BT-55)', header.customer.country],
    ['BR-12', 'sum of invoice line net amount (BT-106)', t.lineTotal],
    ['BR-13', 'invoice total without VAT (BT-109)', t.taxExclusive],
    ['BR-14', 'invoice total with VAT (BT-112)', t.taxInclusive],
    ['BR-15', 'amount due for payment (BT-115)', t.payable],
  ];
  return required.filter(([, , value]) => value === null || value === undefined).map(([name, field]) => ({ rule: name, message: `missing: ${field}`, expected: null, found: null }));
}
