// An upload's kind, told by its content: XML whose root is a UBL Invoice or CreditNote or a
// CII CrossIndustryInvoice is an e-invoice, any other XML is refused naming its root; the
// rest is a call-detail file.
import { looksLikeXml, rootSyntax } from '../../workers/tem/einvoice/kind.js';
import { peek } from '../../workers/core/peek.js';
import { XmlProblem } from '../../workers/tem/einvoice/xml-problem.js';
import type { TemUploadKind } from '../../db/schema.js';
import { HttpError } from '../problem.js';

export async function uploadKind(body: AsyncIterable<Buffer>, declaredXml: boolean): Promise<{ kind: TemUploadKind; bytes: AsyncIterable<Buffer> }> {
  const { prefix, bytes } = await peek(body);
  if (looksLikeXml(prefix)) {
    await rootSyntax(prefix);
    return { kind: 'einvoice', bytes };
  }
  if (declaredXml && prefix.length > 0) throw new XmlProblem('malformed-xml', 'the body is declared XML but does not start with an element');
  return { kind: 'cdr', bytes };
}

export const notAnInvoice = (problem: XmlProblem) =>
  new HttpError(422, 'Unprocessable Content', `Not an electronic invoice: ${problem.message}.`, { errors: [{ field: 'body', message: `${problem.code}: ${problem.message}` }] });
