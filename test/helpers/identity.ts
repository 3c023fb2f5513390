// Small HTTP helpers for the identity tests: one call shape, organisations through ops, users
// and logins through the API, so each test reads as what a member would do.
import type { Runtime } from '../../workers/runtime.js';
import { baseUrl, basic } from './http.js';
import type { TestContext } from './context.js';

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
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = text === '' ? undefined : /json/.test(type) ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: body as T };
  };
}

export function opsAuth(ctx: TestContext): string {
  return basic(ctx.config.ops.user, ctx.config.ops.password);
}

export interface NewOrganization {
  readonly id: string;
  /** What its users log in with. */
  readonly slug: string;
  /** Its first API key, with every scope. */
  readonly key: string;
  readonly keyId: string;
}

export async function newOrganization(call: Call, ctx: TestContext, name: string): Promise<NewOrganization> {
  const answer = await call<{ organization: { id: string; slug: string }; apiKey: { id: string; key: string } }>('post', '/ops/organizations', {
    auth: opsAuth(ctx),
    body: { name },
  });
  if (answer.status !== 201) throw new Error(`creating organisation ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { id: answer.body.organization.id, slug: answer.body.organization.slug, key: answer.body.apiKey.key, keyId: answer.body.apiKey.id };
}

export const STRONG_PASSWORD = 'correct-Horse-battery-7';

export async function newUser(
  call: Call,
  adminToken: string,
  user: { username: string; email?: string; password?: string; role?: 'admin' | 'member' },
): Promise<Credentials & { id: string; email: string }> {
  const email = user.email ?? `${user.username.replace(/[^A-Za-z0-9]/g, '')}@example.nl`;
  const password = user.password ?? STRONG_PASSWORD;
  const answer = await call<{ id: string; organization: string }>('post', '/v1/users', {
    auth: adminToken,
    body: { username: user.username, email, password, role: user.role ?? 'admin' },
  });
  if (answer.status !== 201) throw new Error(`creating user ${user.username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { id: answer.body.id, organization: answer.body.organization, username: user.username, email, password };
}

/** What a user logs in with: the organisation's slug, the username and the password. */
export interface Credentials {
  readonly organization: string;
  readonly username: string;
  readonly password: string;
}

export async function login(call: Call, credentials: Credentials): Promise<string> {
  const { organization, username, password } = credentials;
  const answer = await call<{ token: string }>('post', '/v1/sessions', { body: { organization, username, password } });
  if (answer.status !== 201) throw new Error(`logging in ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

export async function newKey(call: Call, token: string, body: { name: string; scopes: string[]; owner?: 'organization' | 'user' }): Promise<{ id: string; key: string; prefix: string }> {
  const answer = await call<{ id: string; key: string; prefix: string }>('post', '/v1/api-keys', { auth: token, body });
  if (answer.status !== 201) throw new Error(`creating key ${body.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { id: answer.body.id, key: answer.body.key, prefix: answer.body.prefix };
}

/** The fields a problem+json answer names, in order. */
export function fieldsOf(answer: Answer): string[] {
  return (answer.body?.errors ?? []).map((e) => e.field);
}
