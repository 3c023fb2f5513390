// POST /v1/sms/batches/csv: multipart/form-data with the batch fields first, then `file`, a
// CSV of up to 1,000,000 recipients streamed into Postgres slice by slice.
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { openStreamedBatch, type BatchActor, type BatchOptions, type BatchOutcome } from '../../workers/sms/create-batch.js';
import { CsvProblem, csvRecipientSlices } from '../../workers/sms/csv-recipients.js';
import { auditActor } from '../../workers/identity/principal.js';
import { principalOf } from '../auth/bearer.js';
import { HttpError, badRequest } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { parseInput } from '../validate.js';
import { batchAccepted, batchFields, batchOptions, idempotencyKeyOf } from './sms-batch-fields.js';
import { batchSchema } from './sms-views.js';

const MAX_CSV_RECIPIENTS = 1_000_000;
const SLICE = 10_000;
const MAX_FILE_BYTES = 256 * 1024 * 1024;

interface Upload {
  readonly fields: Record<string, string>;
  readonly file: Readable;
  /** Stops parsing the upload and reads the rest of the request unseen, so the answer can go out on a clean connection. */
  readonly discard: () => void;
}

/** Resolves with the fields seen before the file part, and the file stream itself. */
function receive(req: Request): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 4096, fileSize: MAX_FILE_BYTES } });
    } catch {
      reject(badRequest('Send the batch as multipart/form-data.', [{ field: 'header.content-type', message: 'must be multipart/form-data with a boundary' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream) => {
      if (name !== 'file' || settled) return stream.resume();
      settled = true;
      // A file cut off (or a client gone) errors: csvRecipientSlices sees that through pipeline();
      // a file discarded unread (a replay, invalid fields) must not throw it at the process.
      stream.on('error', () => undefined);
      // Only the fields before the file count: later ones would race the stream.
      resolve({
        fields: { ...fields },
        file: stream,
        discard: () => {
          req.unpipe(parser);
          req.resume();
        },
      });
    });
    parser.on('error', (error) => (settled ? undefined : reject(badRequest(`Malformed multipart body (${(error as Error).message}).`, [{ field: 'body', message: 'malformed multipart' }]))));
    parser.on('close', () => (settled ? undefined : reject(badRequest('No CSV file: send it as the part named file, after the other fields.', [{ field: 'body.file', message: 'missing' }]))));
    // Not pipeline(): a multipart error would destroy the request, and its socket with the 400
    // meant for it. Only the request's own error (a client gone) is passed on, to end the file.
    req.once('error', (error) => parser.destroy(error));
    req.pipe(parser);
  });
}

async function ingest(deps: Deps, organizationId: string, options: BatchOptions, actor: BatchActor, { file, discard }: Upload): Promise<BatchOutcome> {
  const streamed = await openStreamedBatch(deps, organizationId, options, actor);
  if (streamed.kind === 'replayed') {
    discard();
    return { batch: streamed.batch, replayed: true, jobs: [] };
  }
  let seq = 0;
  try {
    for await (const slice of csvRecipientSlices(file, SLICE, MAX_CSV_RECIPIENTS)) {
      await streamed.addSlice(seq, slice);
      seq += slice.length;
    }
    if ((file as { truncated?: boolean }).truncated) throw new CsvProblem(`the file is larger than ${MAX_FILE_BYTES} bytes`, null, true);
    if (seq === 0) throw new CsvProblem('the file has no recipient rows', null);
    return await streamed.finish();
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
      summary: `Submit a batch as multipart/form-data: sender, body, sendAt?, reference?, callbackUrl?, then file (a CSV with a header row and phone and/or email columns; other columns are fields), up to ${MAX_CSV_RECIPIENTS.toLocaleString('en')} rows`,
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      multipart: batchFields.extend({ file: z.string().describe('the CSV file') }),
      responses: {
        202: { description: 'accepted: every row validated and stored; rejections by data row (from 0)', schema: batchSchema },
        200: { description: 'a repeat with the same Idempotency-Key: the first batch', schema: batchSchema },
        413: { description: `more than ${MAX_CSV_RECIPIENTS} rows` },
      },
      handler: async (_input, req, res) => {
        const principal = principalOf(res);
        if (!req.is('multipart/form-data')) {
          throw new HttpError(415, 'Unsupported Media Type', 'Send the batch as multipart/form-data.', { errors: [{ field: 'header.content-type', message: 'must be multipart/form-data' }] });
        }
        const key = idempotencyKeyOf(req);
        const upload = await receive(req);
        try {
          const options = await batchOptions(deps, parseInput('body', batchFields, upload.fields), key);
          return batchAccepted(deps, await ingest(deps, principal.organizationId, options, auditActor(principal), upload));
        } catch (error) {
          // Whatever failed, the rest of the upload is read and dropped, so the answer reaches the client.
          upload.discard();
          throw error;
        }
      },
    }),
  ];
}
