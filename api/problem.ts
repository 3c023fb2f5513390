// RFC 9457 problem details: the one shape every error of the API takes.
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
export const unauthorized = (detail: string, realm?: string) =>
  new HttpError(401, 'Unauthorized', detail, realm ? { headers: { 'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"` } } : {});
export const forbidden = (detail: string) => new HttpError(403, 'Forbidden', detail);
