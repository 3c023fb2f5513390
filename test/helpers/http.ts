// HTTP in tests: one call shape against a runtime's web role (caller), problem+json fields,
// Basic auth, and reading a request's body in a test server.
import type { IncomingMessage } from 'node:http';
import type { Runtime } from '../../workers/runtime.js';

export function baseUrl(runtime: Runtime): string {
  if (runtime.port === undefined) throw new Error('runtime has no web role');
  return `http://127.0.0.1:${runtime.port}`;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The whole body of a request to a test server, as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The body of an error answer (problem+json). */
export interface ProblemBody {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly { field: string; message: string }[];
}

export interface Answer<T = ProblemBody> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON (also problem+json), text otherwise, undefined when empty; typed by the caller. */
  readonly body: T;
}

export interface CallOptions {
  /** A whole Authorization value, or a bearer token. */
  readonly auth?: string;
  readonly body?: unknown;
  /** Further request headers (Idempotency-Key, ...). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Gives up on an answer (AbortSignal.timeout(ms)): a route must not hang. */
  readonly signal?: AbortSignal;
}

export type Call = <T = ProblemBody>(method: string, path: string, options?: CallOptions) => Promise<Answer<T>>;

export function caller(runtime: Runtime): Call {
  const url = baseUrl(runtime);
  return async <T = ProblemBody>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== undefined) headers.authorization = /^(Basic|Bearer) /i.test(options.auth) ? options.auth : `Bearer ${options.auth}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, {
      method: method.toUpperCase(),
      headers,
      ...(options.signal && { signal: options.signal }),
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = text === '' ? undefined : /json/.test(type) ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: body as T };
  };
}

/** The fields a problem+json answer names, in order. */
export function fieldsOf(answer: Answer): string[] {
  return (answer.body?.errors ?? []).map((e) => e.field);
}
