// The body of a TEM upload as a stream of bytes: the raw body (text/csv or XML), or
// the `file` part of multipart/form-data with `profile` and `carrier` fields before it.
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { UploadTooLarge } from '../../workers/tem/uploads.js';
import { HttpError, badRequest } from '../problem.js';

export interface UploadBody {
  readonly fields: Readonly<Record<string, string>>;
  readonly bytes: AsyncIterable<Buffer>;
  /** Reads the rest of the request unseen, so an early answer reaches the client. */
  readonly discard: () => void;
}

export const RAW_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', 'application/xml', 'text/xml'];

/** The limit in bytes, and in MB when it is a whole number of them. */
const limitText = (maxBytes: number) => (maxBytes % (1024 * 1024) === 0 ? `${maxBytes} bytes (${maxBytes / 1024 / 1024} MB)` : `${maxBytes} bytes`);

export const tooLarge = (maxBytes: number) =>
  new HttpError(413, 'Content Too Large', `The file is larger than ${limitText(maxBytes)}; nothing was kept.`, {
    errors: [{ field: 'body', message: `larger than ${maxBytes} bytes` }],
  });

/** A busboy file stream ends quietly at its limit: turn the cut into the error the store knows. */
async function* limited(file: Readable & { truncated?: boolean }, maxBytes: number): AsyncGenerator<Buffer> {
  for await (const piece of file) yield piece as Buffer;
  if (file.truncated) throw new UploadTooLarge(maxBytes);
}

function multipart(req: Request, maxBytes: number): Promise<UploadBody> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024, fileSize: maxBytes } });
    } catch {
      reject(badRequest('Send the file as multipart/form-data with a boundary.', [{ field: 'header.content-type', message: 'must have a boundary' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    const discard = () => {
      req.unpipe(parser);
      req.resume();
    };
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream) => {
      if (name !== 'file' || settled) return stream.resume();
      settled = true;
      stream.on('error', () => undefined);
      resolve({ fields: { ...fields }, bytes: limited(stream, maxBytes), discard });
    });
    parser.on('error', (error) => (settled ? undefined : reject(badRequest(`Malformed multipart body (${(error as Error).message}).`, [{ field: 'body', message: 'malformed multipart' }]))));
    parser.on('close', () => (settled ? undefined : reject(badRequest('No file: send it as the part named file, after the other fields.', [{ field: 'body.file', message: 'missing' }]))));
    req.once('error', (error) => parser.destroy(error));
    req.pipe(parser);
  });
}

/** A body without Content-Length (chunked) is cut off while it streams, at maxBytes + 1. */
export async function uploadBody(req: Request, query: Readonly<Record<string, string | undefined>>, maxBytes: number): Promise<UploadBody> {
  const discard = () => void req.resume();
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    discard();
    throw tooLarge(maxBytes);
  }
  if (req.is('multipart/form-data')) return multipart(req, maxBytes);
  if (req.is(RAW_TYPES)) {
    const fields = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    // Not destroyed when the store stops reading (past the limit): discard() drains it, the answer gets out.
    return { fields, bytes: req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>, discard };
  }
  discard();
  throw new HttpError(415, 'Unsupported Media Type', 'Send the file as text/csv, application/xml or text/xml, or as multipart/form-data with a part named file.', {
    errors: [{ field: 'header.content-type', message: `must be ${RAW_TYPES.join(', ')} or multipart/form-data` }],
  });
}
