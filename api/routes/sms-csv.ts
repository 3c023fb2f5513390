// POST /v1/sms/batches/csv: multipart/form-data with the batch fields first, then `file`, a
// CSV of up to 1,000,000 recipients streamed into Postgres slice by slice.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { openStreamedBatch, type BatchActor, type BatchOptions, type BatchOutcome } from '../../workers/sms/create-batch.js';
import { asIntake } from '../../workers/core/intake-gate.js';
import { CsvProblem, CsvRecipients } from '../../workers/sms/csv-recipients.js';
import { auditActor } from '../../workers/identity/principal.js';
import { principalOf } from '../auth/bearer.js';
import { declaredCharset } from '../declared-charset.js';
import { receiveFile, type FileUpload } from '../multipart-file.js';
import { HttpError } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { parseInput } from '../validate.js';
import { batchAccepted, batchFields, batchOptions, idempotencyKeyOf } from './sms-batch-fields.js';
import { batchSchema } from './sms-views.js';

const MAX_CSV_RECIPIENTS = 1_000_000;
const SLICE = 10_000;
const MAX_FILE_BYTES = 256 * 1024 * 1024;
const UPLOAD_LIMITS = { maxBytes: MAX_FILE_BYTES, tooLarge: () => new CsvProblem(`The file is larger than ${MAX_FILE_BYTES} bytes`, null, true), fields: 20, fieldBytes: 8192 };
// fieldBytes: a body of 1,600 characters is up to 4,800 bytes of UTF-8 (three a character: €, CJK).

const csvFields = batchFields.extend({
  charset: z.string().max(40).optional().describe('the encoding of the file (e.g. windows-1252); by default UTF-8 (with or without BOM), Windows-1252 if the bytes are not UTF-8, or UTF-16 after its byte order mark'),
});

/** The 202 answer, with how the file was read. */
const csvBatchSchema = batchSchema
  .extend({
    file: z.object({ encoding: z.string().describe('utf-8, windows-1252, utf-16le, utf-16be, or the charset sent'), separator: z.enum([',', ';', '\t']) }).optional().describe('absent on a replay'),
  })
  .meta({ id: 'SmsCsvBatch' });

interface Ingested extends BatchOutcome {
  readonly file?: { readonly encoding: string; readonly separator: string };
}

async function ingest(deps: Deps, organizationId: string, options: BatchOptions, actor: BatchActor, { file, discard }: FileUpload, charset: string | null): Promise<Ingested> {
  const streamed = await openStreamedBatch(deps, organizationId, options, actor);
  if (streamed.kind === 'replayed') {
    discard();
    return { batch: streamed.batch, replayed: true, jobs: [] };
  }
  let seq = 0;
  const csv = new CsvRecipients(file, { sliceSize: SLICE, maxRows: MAX_CSV_RECIPIENTS, charset });
  try {
    // Bounded: one slice stored while the next is validated and the one after is parsed. The
    // parser is not read while a store is pending, so Postgres and the pool slow the socket.
    let storing: Promise<void> = Promise.resolve();
    try {
      for await (const slice of csv.slices()) {
        const validated = streamed.validateSlice(seq, slice);
        // Each is awaited later: it must not go unhandled should it fail first.
        validated.catch(() => undefined);
        await storing;
        storing = validated.then((result) => streamed.storeSlice(result));
        storing.catch(() => undefined);
        seq += slice.count;
      }
    } finally {
      // Whatever ended the loop, no store is left running behind the answer.
      await storing.catch(() => undefined);
    }
    await storing;
    if (seq === 0) throw new CsvProblem('The file has no recipient rows', null);
    return { ...(await streamed.finish()), file: { encoding: csv.encoding, separator: csv.separator ?? ',' } };
  } catch (error) {
    // A client gone (the request's error ended the file) gets this answer nowhere: the batch is abandoned all the same.
    await streamed.abandon();
    throw error;
  }
}

export function smsCsvRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sms/batches/csv',
      summary: `Submit a batch as multipart/form-data: sender, body, sendAt?, reference?, callbackUrl?, charset?, then file (a CSV with a header row and phone and/or email columns, separated by commas, semicolons or tabs; other columns are fields), up to ${MAX_CSV_RECIPIENTS.toLocaleString('en')} rows`,
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      multipart: csvFields.extend({ file: z.string().describe('the CSV file') }),
      responses: {
        202: { description: 'accepted: every row validated and stored; rejections by data row (from 0)', schema: csvBatchSchema },
        200: { description: 'a repeat with the same Idempotency-Key: the first batch', schema: batchSchema },
        409: { description: 'the Idempotency-Key was used for another batch (another sender, text, purpose, reference, callbackUrl or sendAt): nothing made' },
        413: { description: `more than ${MAX_CSV_RECIPIENTS} rows` },
      },
      handler: async (_input, req, res) => {
        const principal = principalOf(res);
        if (!req.is('multipart/form-data')) {
          throw new HttpError(415, 'Unsupported Media Type', 'Send the batch as multipart/form-data.', { errors: [{ field: 'header.content-type', message: 'must be multipart/form-data' }] });
        }
        const key = idempotencyKeyOf(req);
        const upload = await receiveFile(req, UPLOAD_LIMITS);
        try {
          const { charset, ...fields } = parseInput('body', csvFields, upload.fields);
          const options = await batchOptions(deps, fields, key);
          const ingested = await asIntake(() => ingest(deps, principal.organizationId, options, auditActor(principal), upload, declaredCharset(charset, 'body.charset')));
          const reply = await batchAccepted(deps, ingested);
          return ingested.file ? { ...reply, body: { ...(reply.body as object), file: ingested.file } } : reply;
        } catch (error) {
          // Whatever failed, the rest of the upload is read and dropped, so the answer reaches the client.
          upload.discard();
          throw error;
        }
      },
    }),
  ];
}
