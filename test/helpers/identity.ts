// Identity through the API: organisations through ops, users, logins and keys as a member would
// make them. The call shape itself (caller) is in http.ts, re-exported here.
import { basic, type Call } from './http.js';
import type { TestContext } from './context.js';

export { caller, fieldsOf, type Answer, type Call, type CallOptions, type ProblemBody } from './http.js';

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
