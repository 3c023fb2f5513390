// /v1/invoices/uploads: a carrier's file (call details now, e-invoices later) streamed into
// Postgres, then parsed by the tem.parse-upload job. 202 with the upload; a repeat of the same
// content answers 200 with the first upload.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { PROFILE_NAMES } from '../../workers/tem/profile.js';
import { EmptyUpload, UploadTooLarge, deleteUpload, findUpload, listUploads, storeUpload } from '../../workers/tem/uploads.js';
import { principalOf } from '../auth/bearer.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { charsetParameter, declaredCharset } from '../declared-charset.js';
import { badRequest, notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { parseInput } from '../validate.js';
import { XmlProblem } from '../../workers/tem/einvoice/xml-problem.js';
import { notAnInvoice, uploadKind } from './tem-upload-kind.js';
import { tooLarge, uploadBody } from './tem-upload-body.js';
import { toUpload, uploadSchema } from './tem-views.js';

const uploadFields = z.object({
  profile: z.enum(PROFILE_NAMES).optional().describe('carrier profile; chosen from the header row when not named'),
  carrier: z.string().trim().min(1).max(100).optional(),
  charset: z
    .string()
    .max(40)
    .optional()
    .describe(
      "the file's encoding (e.g. windows-1252, utf-16le); also read from the Content-Type's charset. A call-detail file is by default UTF-8, Windows-1252 if the bytes are not UTF-8, or UTF-16 after its byte order mark; an e-invoice is read in the encoding its byte order mark or XML declaration names (UTF-8 when neither does), and one that contradicts this charset is refused naming both",
    ),
});
const idParams = z.object({ id: z.uuid() });

export function temUploadRoutes(deps: Deps): Route[] {
  const maxBytes = deps.config.tem.maxUploadBytes;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/invoices/uploads',
      summary: `Upload a call-detail file (CSV) or an electronic invoice (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII; told by its root element): the raw body (text/csv, application/xml or text/xml; profile, carrier and charset in the query) or multipart/form-data (profile?, carrier?, charset?, then file), up to ${maxBytes} bytes (TEM_MAX_UPLOAD_BYTES)`,
      tags: ['tem'],
      security: 'bearer',
      scope: 'invoices',
      query: uploadFields,
      multipart: uploadFields.extend({ file: z.string().describe('the file') }),
      responses: {
        202: { description: 'stored; parsing follows (GET the upload for its status)', schema: uploadSchema },
        200: { description: 'the same content was uploaded before: that upload', schema: uploadSchema },
        413: { description: `larger than ${maxBytes} bytes; nothing kept` },
        422: { description: 'XML that is not an electronic invoice (its root element named), has a DOCTYPE, or whose encoding cannot be read (a UTF-32 byte order mark, an unknown encoding, or a byte order mark, XML declaration or sent charset that contradict each other: both named, and the field is the charset sent when the file contradicts it, else body); nothing kept' },
      },
      handler: async ({ query }, req, res) => {
        const principal = principalOf(res);
        const body = await uploadBody(req, query, maxBytes);
        let charsetField = 'body';
        try {
          const multipart = req.is('multipart/form-data') !== false;
          const fields = multipart ? parseInput('body', uploadFields, body.fields) : query;
          charsetField = fields.charset !== undefined ? (multipart ? 'body.charset' : 'query.charset') : 'header.content-type';
          const charset = declaredCharset(fields.charset ?? (multipart ? undefined : charsetParameter(req.headers['content-type'])), charsetField);
          const { kind, bytes } = await uploadKind(body.bytes, req.is(['application/xml', 'text/xml']) !== false, charset);
          const { upload, replayed } = await storeUpload(deps.db, principal.organizationId, { kind, maxBytes, profile: fields.profile ?? null, carrier: fields.carrier ?? null, charset }, bytes);
          if (!replayed) await enqueueAfterCommit(deps, [{ name: 'tem.parse-upload', payload: { uploadId: upload.id } }]);
          return { status: replayed ? 200 : 202, body: toUpload(upload) };
        } catch (error) {
          body.discard();
          if (error instanceof UploadTooLarge) throw tooLarge(maxBytes);
          if (error instanceof XmlProblem) throw notAnInvoice(error, charsetField);
          if (error instanceof EmptyUpload) throw badRequest('The file is empty.', [{ field: 'body', message: 'empty' }]);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/invoices/uploads',
      summary: 'List uploads, oldest first (keyset pages)',
      tags: ['tem'],
      security: 'bearer',
      scope: 'invoices',
      query: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(uploadSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listUploads(deps.db, principalOf(res).organizationId, { limit: query.limit, ...(query.cursor && { after: decodeCursor(query.cursor) }) });
        return { body: { items: page.items.map(toUpload), nextCursor: page.next ? encodeCursor(page.next) : null } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/invoices/uploads/{id}',
      summary: 'An upload: status, rows stored and refused, refused lines by number and reason',
      tags: ['tem'],
      security: 'bearer',
      scope: 'invoices',
      params: idParams,
      responses: { 200: { description: 'the upload', schema: uploadSchema }, 404: { description: 'no such upload' } },
      handler: async ({ params }, _req, res) => {
        const upload = await findUpload(deps.db, principalOf(res).organizationId, params.id);
        if (!upload) throw notFound('No such upload.');
        return { body: toUpload(upload) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/invoices/uploads/{id}',
      summary: 'Delete an upload and everything parsed from it',
      tags: ['tem'],
      security: 'bearer',
      scope: 'invoices',
      params: idParams,
      responses: { 204: { description: 'deleted' }, 404: { description: 'no such upload' } },
      handler: async ({ params }, _req, res) => {
        if (!(await deleteUpload(deps.db, principalOf(res).organizationId, params.id))) throw notFound('No such upload.');
        return { status: 204 };
      },
    }),
  ];
}
