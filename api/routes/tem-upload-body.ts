// The body of a TEM upload as a stream of bytes: the raw body (text/csv or XML), or
// the `file` part of multipart/form-data with `profile` and `carrier` fields before it
// (received as the SMS CSV upload is: api/multipart-file.ts).
import type { Request } from 'express';
import { UploadTooLarge } from '../../workers/tem/uploads.js';
import { receiveFile } from '../multipart-file.js';
import { HttpError } from '../problem.js';

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

/** A body without Content-Length (chunked) is cut off while it streams, at maxBytes + 1. */
export async function uploadBody(req: Request, query: Readonly<Record<string, string | undefined>>, maxBytes: number): Promise<UploadBody> {
  const discard = () => void req.resume();
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    discard();
    throw tooLarge(maxBytes);
  }
  if (req.is('multipart/form-data')) {
    const upload = await receiveFile(req, { maxBytes, tooLarge: () => new UploadTooLarge(maxBytes), fields: 10, fieldBytes: 1024 });
    return { fields: upload.fields, bytes: upload.file, discard: upload.discard };
  }
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
