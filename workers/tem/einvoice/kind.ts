// Which electronic invoice a document is, told by its root element and namespace URI (never
// the file name nor the prefix); anything else is refused naming what was found.
import { XmlProblem } from './xml-problem.js';

export const UBL_INVOICE_NS = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';
export const UBL_CREDIT_NOTE_NS = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2';
export const CII_NS = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100';

/**
 * Document type codes (BT-3, UNTDID 1001) of a credit note: its amounts count negative, whichever
 * root (UBL) or syntax carries them. EN 16931's credit note subset (Peppol BIS 3 takes 81, 83, 381,
 * 396 and 532 of it); a self-billed credit note (261) is as much a credit as a 381.
 */
export const CREDIT_NOTE_TYPES: readonly string[] = ['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '532'];

export const EINVOICE_SYNTAXES = ['ubl-invoice', 'ubl-credit-note', 'cii'] as const;
export type EinvoiceSyntax = (typeof EINVOICE_SYNTAXES)[number];

const ROOTS: Readonly<Record<string, EinvoiceSyntax>> = {
  [`{${UBL_INVOICE_NS}}Invoice`]: 'ubl-invoice',
  [`{${UBL_CREDIT_NOTE_NS}}CreditNote`]: 'ubl-credit-note',
  [`{${CII_NS}}CrossIndustryInvoice`]: 'cii',
};

/** The syntax of a root element, or a problem naming it as `{namespace}local`. */
export function syntaxOf(root: { uri: string; local: string }): EinvoiceSyntax {
  const name = `{${root.uri}}${root.local}`;
  const syntax = ROOTS[name];
  if (!syntax) throw new XmlProblem('not-an-einvoice', `the root element ${name} is not a UBL 2.1 Invoice or CreditNote, nor a UN/CEFACT CrossIndustryInvoice`);
  return syntax;
}

/** Reads no further than the root's start tag (or the DOCTYPE before it); the XML reader is loaded by the first XML upload. */
export async function rootSyntax(prefix: Buffer, charset: string | null = null): Promise<EinvoiceSyntax> {
  const { readXml } = await import('./xml-stream.js');
  return syntaxOf(await readXml([prefix], { rootOnly: true, charset }));
}
