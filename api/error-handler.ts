// Maps every error to HTTP, once. Unknown errors answer 500 and are logged by kind only.
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CallerGoneError, ConflictError, DomainError, InvalidFieldError, NotFoundError } from '../workers/core/domain-errors.js';
import { describeError } from '../workers/core/errors.js';
import type { Logger } from '../workers/core/logger.js';
import { HttpError, badRequest, conflict, malformedJson, notFound, serviceUnavailable, unauthorized, type Problem } from './problem.js';
import { INTERNAL_PROBLEM, isDependencyUnavailable } from '../workers/core/unavailable.js';
import { ACTOR_GONE_DETAIL, isActorGone } from '../workers/identity/actor-gone.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  /** http-errors: set on the client errors body-parser and raw-body raise (a 4xx), never on ours. */
  expose?: boolean;
}

function fromBodyParser(error: BodyParserError & object): HttpError | undefined {
  switch (error.type ?? '') {
    case 'entity.too.large':
      return new HttpError(413, 'Content Too Large', `The request body exceeds the limit of ${error.limit ?? '?'} bytes.`, {
        errors: [{ field: 'body', message: 'too large' }],
      });
    case 'entity.parse.failed':
      return malformedJson();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'Unsupported Media Type', 'Unsupported body encoding or charset.', { errors: [{ field: 'header.content-type', message: 'unsupported' }] });
    case 'request.aborted':
      return new HttpError(400, 'Bad Request', 'The request was aborted.');
    case 'parameters.too.many':
      return new HttpError(413, 'Content Too Large', 'The form has too many fields.', { errors: [{ field: 'body', message: 'too many fields' }] });
    default:
      // Any other body the parser refused (a gzip body that does not inflate, a length that does
      // not match Content-Length): the client's 4xx, in our words rather than the parser's.
      if (error.expose === true && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
        return new HttpError(error.status, STATUS_CODES[error.status] ?? 'Bad Request', 'The request body could not be read.', { errors: [{ field: 'body', message: 'unreadable' }] });
      }
      return undefined;
  }
}

/** The one map from the domain's refusals to HTTP. */
function fromDomain(error: DomainError): HttpError {
  if (error instanceof NotFoundError) return notFound(error.detail);
  if (error instanceof CallerGoneError) return unauthorized(error.detail);
  if (error instanceof ConflictError) return conflict(error.detail, error.field);
  if (error instanceof InvalidFieldError) {
    const errors = [{ field: error.field, message: error.problem }];
    return error.tooLarge ? new HttpError(413, 'Content Too Large', error.detail, { errors }) : badRequest(error.detail, errors);
  }
  return new HttpError(400, 'Bad Request', error.detail);
}

export function sendProblem(res: Parameters<RequestHandler>[1], error: HttpError): void {
  for (const [name, value] of Object.entries(error.extras.headers ?? {})) res.setHeader(name, value);
  const body: Problem = error.toProblem();
  res.status(error.status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * The router's refusal of a path segment that does not decode (`%ED%A0%80`, a lone surrogate, or
 * `%E0%A4%A`): a URIError it marks 400. The route is not known yet, so the field is the path.
 */
function fromPathDecoding(error: unknown): HttpError | undefined {
  if (!(error instanceof URIError) || (error as { status?: unknown }).status !== 400) return undefined;
  return badRequest('A part of the path is not valid percent-encoded UTF-8.', [{ field: 'path', message: 'not valid percent-encoded UTF-8' }]);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const mapped =
      error instanceof HttpError ? error
      : error instanceof URIError ? (fromPathDecoding(error) ?? new HttpError(INTERNAL_PROBLEM.status, INTERNAL_PROBLEM.title, INTERNAL_PROBLEM.detail))
      : error instanceof DomainError ? fromDomain(error)
      : isActorGone(error) ? unauthorized(ACTOR_GONE_DETAIL)
      : isDependencyUnavailable(error) ? serviceUnavailable()
      : fromBodyParser(error ?? {})
      ?? new HttpError(INTERNAL_PROBLEM.status, INTERNAL_PROBLEM.title, INTERNAL_PROBLEM.detail);
    if (mapped.status === 503) {
      logger.warn({ error: describeError(error) }, 'request refused: a dependency is unavailable');
    } else if (mapped.status >= 500) {
      logger.error({ error: describeError(error), stack: error instanceof Error ? error.stack?.split('\n').filter((l) => l.startsWith('    at')).slice(0, 8) : undefined }, 'request failed');
    }
    // Too late for an answer: cut the connection, as Express would, but without its default
    // handler, which prints the whole error to stderr (message, stack, a pg error's detail).
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    sendProblem(res, mapped);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, new HttpError(404, 'Not Found', `No route for ${req.method} ${req.path.length > 200 ? 'this path' : req.path}.`));
};
