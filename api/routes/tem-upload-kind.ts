// An upload's kind, told by its content: XML whose root is a UBL Invoice or CreditNote or a
// CII CrossIndustryInvoice is an e-invoice, any other XML is refused naming its root; the
// rest is a call-detail file. XML in UTF-16 (after its byte order mark) is XML too; its
// encoding (BOM, declaration, the sender's charset) is checked here, so a contradiction is a 422
// naming it before anything is kept (workers/tem/einvoice/xml-encoding.ts).
import { rootSyntax } from '../../workers/tem/einvoice/kind.js';
import { looksLikeXml } from '../../workers/tem/einvoice/xml-encoding.js';
import { peek } from '../../workers/core/peek.js';
import { XmlProblem } from '../../workers/tem/einvoice/xml-problem.js';
import type { TemUploadKind } from '../../db/schema.js';
import { HttpError } from '../problem.js';

export async function uploadKind(body: AsyncIterable<Buffer>, declaredXml: boolean, charset: string | null = null): Promise<{ kind: TemUploadKind; bytes: AsyncIterable<Buffer> }> {
  const { prefix, bytes } = await peek(body);
  if (looksLikeXml(prefix)) {
    await rootSyntax(prefix, charset);
    return { kind: 'einvoice', bytes };
  }
  if (declaredXml && prefix.length > 0) throw new XmlProblem('malformed-xml', 'the body is declared XML but does not start with an element');
  return { kind: 'cdr', bytes };
}

/** `charsetField`: where the sender named a charset (`query.charset`, `body.charset`, `header.content-type`), named when the file contradicts it. */
export const notAnInvoice = (problem: XmlProblem, charsetField = 'body') =>
  new HttpError(422, 'Unprocessable Content', `${problem.code === 'xml-encoding' ? 'The electronic invoice cannot be read' : 'Not an electronic invoice'}: ${problem.message}.`, {
    errors: [{ field: problem.wrong === 'charset' ? charsetField : 'body', message: `${problem.code}: ${problem.message}` }],
  });
