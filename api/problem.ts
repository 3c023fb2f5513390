// RFC 9457 problem details: the one shape every error of the API takes.
import { UNAVAILABLE_PROBLEM, UNAVAILABLE_RETRY_AFTER_S } from '../workers/core/unavailable.js';

export interface FieldProblem {
  /** Where the bad value is: body.recipients.3.phone, query.cursor, params.id, header.authorization */
  readonly field: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
  readonly [extension: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extras: { errors?: readonly FieldProblem[]; type?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpError';
  }

  toProblem(): Problem {
    return {
      type: this.extras.type ?? 'about:blank',
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined && { detail: this.detail }),
      ...(this.extras.errors && { errors: this.extras.errors }),
    };
  }
}

export const badRequest = (detail: string, errors?: readonly FieldProblem[]) =>
  new HttpError(400, 'Bad Request', detail, { type: '/problems/validation', ...(errors && { errors }) });
export const notFound = (detail = 'No such resource.') => new HttpError(404, 'Not Found', detail);
/** `challenge` is the WWW-Authenticate value: Basic realm="...", or Bearer. */
export const unauthorized = (detail: string, challenge = 'Bearer') => new HttpError(401, 'Unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
export const conflict = (detail: string, field: string) => new HttpError(409, 'Conflict', detail, { errors: [{ field, message: detail }] });
export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpError(429, 'Too Many Requests', `Try again in ${retryAfterSeconds} s.`, { headers: { 'Retry-After': String(retryAfterSeconds) } });
/** A dependency is away: the request was not completed; try again. */
export const serviceUnavailable = (retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_S) =>
  new HttpError(503, UNAVAILABLE_PROBLEM.title, UNAVAILABLE_PROBLEM.detail, { type: UNAVAILABLE_PROBLEM.type, headers: { 'Retry-After': String(retryAfterSeconds) } });
export const forbidden = (detail: string) => new HttpError(403, 'Forbidden', detail);
export const malformedJson = () => badRequest('The request body is not valid JSON.', [{ field: 'body', message: 'malformed JSON' }]);
