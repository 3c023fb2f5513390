// The one receiver of a multipart/form-data upload (the SMS CSV batch, the TEM upload): the
// fields first, then one file, the part named `file`, streamed as it arrives (never whole in
// memory). Nothing the sender sent is ignored: a field after the file, a second file or a field
// cut at its limit is a 400 naming the part (a field after the file ends the file with it, so
// whatever was stored from it is rolled back).
import { Transform, pipeline, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { InvalidFieldError } from '../workers/core/domain-errors.js';
import { badRequest } from './problem.js';

export interface FileLimits {
  /** The file's limit in bytes: past it the file ends with `tooLarge()`. */
  readonly maxBytes: number;
  readonly tooLarge: () => Error;
  readonly fields: number;
  /** A field's limit in bytes (UTF-8). */
  readonly fieldBytes: number;
}

export interface FileUpload {
  /** The fields sent before the file. */
  readonly fields: Readonly<Record<string, string>>;
  /** The file; at its end it errors with what followed it (an InvalidFieldError), or with tooLarge(). */
  readonly file: Readable;
  /** Stops parsing the upload and reads the rest of the request unseen, so the answer can go out on a clean connection. */
  readonly discard: () => void;
}

const refused = (part: string, problem: string, detail: string) => new InvalidFieldError(`body.${part}`, problem, detail);

/** What is wrong with a part that came after the file. */
function afterFile(name: string, isFile: boolean): InvalidFieldError {
  return isFile
    ? refused(name, 'a second file', `Only one file is taken, the part named file; the part ${JSON.stringify(name)} is a second one.`)
    : refused(name, 'after the file', `The field ${JSON.stringify(name)} came after the file: send every field before it.`);
}

/**
 * The file's bytes passed on as they come; at their end it waits for the rest of the body and
 * fails with the first part found after the file (or the body's own error).
 */
function fileThrough(stream: Readable & { truncated?: boolean }, rest: Promise<void>, limits: FileLimits): Readable {
  const through = new Transform({
    transform: (piece: Buffer, _encoding, done) => done(null, piece),
    flush: (done) => {
      if (stream.truncated) return done(limits.tooLarge());
      rest.then(() => done(), done);
    },
  });
  // Errors reach the reader through `through` (a client gone mid-file); destroying it ends the part.
  pipeline(stream, through, () => undefined);
  return through;
}

/** Resolves with the fields before the part named `file`, and that file as a stream. */
export function receiveFile(req: Request, limits: FileLimits): Promise<FileUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Two files, so that a second one is seen (and refused by its name) rather than skipped.
      parser = busboy({ headers: req.headers, limits: { files: 2, fields: limits.fields, fieldSize: limits.fieldBytes, fileSize: limits.maxBytes } });
    } catch {
      reject(badRequest('Send the upload as multipart/form-data with a boundary.', [{ field: 'header.content-type', message: 'must be multipart/form-data with a boundary' }]));
      return;
    }
    // No prototype: a field named __proto__ is a field like any other.
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    let received = false;
    // Settles once the file has been handed on: the rest of the body parsed, or its first problem.
    let endRest: (problem?: Error) => void = () => undefined;
    const rest = new Promise<void>((resolve, reject) => (endRest = (problem) => (problem ? reject(problem) : resolve())));
    rest.catch(() => undefined);
    const discard = () => {
      req.unpipe(parser);
      req.resume();
    };
    // Refused before the file: the rest of the request is read unseen, so the answer reaches the client.
    const fail = (problem: Error) => {
      discard();
      reject(problem);
    };
    const refuse = (problem: Error) => (received ? endRest(problem) : fail(problem));

    parser.on('field', (name, value, info) => {
      if (received) return endRest(afterFile(name, false));
      if (info.valueTruncated) return fail(refused(name, `longer than ${limits.fieldBytes} bytes`, `The field ${JSON.stringify(name)} is longer than ${limits.fieldBytes} bytes.`));
      if (Object.hasOwn(fields, name)) return fail(refused(name, 'sent twice', `The field ${JSON.stringify(name)} was sent twice: send it once.`));
      fields[name] = value;
    });
    parser.on('fieldsLimit', () => refuse(new InvalidFieldError('body', `more than ${limits.fields} fields`, `More than ${limits.fields} fields.`)));
    parser.on('file', (name, stream) => {
      if (received || name !== 'file') {
        stream.resume();
        return received ? endRest(afterFile(name, true)) : fail(refused(name, 'a file other than file', `The part ${JSON.stringify(name)} is a file: send one file, as the part named file.`));
      }
      received = true;
      resolve({ fields: { ...fields }, file: fileThrough(stream, rest, limits), discard });
    });
    parser.on('filesLimit', () => refuse(refused('file', 'more than one file', 'Only one file is taken, the part named file.')));
    parser.on('error', (error) => refuse(new InvalidFieldError('body', 'malformed multipart', `Malformed multipart body (${(error as Error).message}).`)));
    parser.on('close', () => (received ? endRest() : fail(badRequest('No file: send it as the part named file, after the other fields.', [{ field: 'body.file', message: 'missing' }]))));
    // Not pipeline(): a multipart error would destroy the request, and its socket with the 400
    // meant for it. Only the request's own error (a client gone) is passed on, to end the file.
    req.once('error', (error) => parser.destroy(error));
    req.pipe(parser);
  });
}
