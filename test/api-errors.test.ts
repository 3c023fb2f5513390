// Every error of the API is an RFC 9457 problem (application/problem+json) whose `errors`
// name the offending fields, whatever part of the stack raised it.
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../api/route.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl, basic } from './helpers/http.js';
import { opsAuth } from './helpers/identity.js';

const ctx = await createTestContext();

const echo = defineRoute({
  method: 'post',
  path: '/test/echo',
  summary: 'Test only: echoes a name',
  tags: ['test'],
  security: 'none',
  body: z.strictObject({ name: z.string().min(1) }),
  responses: { 200: { description: 'the name', schema: z.object({ name: z.string() }) } },
  handler: ({ body }) => ({ body: { name: body.name } }),
});

/** Takes an HTML form too (its fields capped at 20, as the public forms' are). */
const formEcho = defineRoute({ ...echo, path: '/test/form-echo', formBody: true });

/** Fails after its answer began: a stream that breaks half-way, a pg error whose detail quotes a row. */
const late = defineRoute({
  method: 'get',
  path: '/test/late-failure',
  summary: 'Test only: fails after its headers are sent',
  tags: ['test'],
  security: 'none',
  responses: { 200: { description: 'half an answer' } },
  handler: (_input, _req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('half');
    throw Object.assign(new Error('duplicate key value violates unique constraint "contacts_email_key"'), {
      code: '23505',
      severity: 'ERROR',
      detail: 'Key (email)=(late.failure@example.nl) already exists.',
      constraint: 'contacts_email_key',
    });
  },
});

const runtime = await ctx.start({ roles: ['web'], config: ctx.configWith({ JSON_BODY_LIMIT: '100b' }), app: { routes: [echo, formEcho] } });
const url = baseUrl(runtime);
const ops = opsAuth(ctx);

/** RFC 9457 with the API's extension: `errors` names each offending field. */
const problemShape = (status: number) =>
  z.strictObject({
    type: z.string().min(1),
    title: z.string().min(1),
    status: z.literal(status),
    detail: z.string().min(1),
    errors: z.array(z.strictObject({ field: z.string().min(1), message: z.string().min(1) })).optional(),
  });
type ProblemBody = z.output<ReturnType<typeof problemShape>>;

/** Asserts the status, the media type and the problem shape, and returns the problem. */
async function problemOf(response: Response, status: number): Promise<ProblemBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return problemShape(status).parse(await response.json());
}

const fields = (problem: ProblemBody) => (problem.errors ?? []).map((e) => e.field);
const postEcho = (body: string, contentType = 'application/json') =>
  fetch(`${url}/test/echo`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('API errors', () => {
  it('accepts a valid body on the test route (so the failures below are about the input)', async () => {
    const response = await postEcho(JSON.stringify({ name: 'Ada' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'Ada' });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const problem = await problemOf(await fetch(`${url}/no/such/route`), 404);
    expect(problem.title).toBe('Not Found');
  });

  it('names query.limit when the outbox limit is not a number', async () => {
    const response = await fetch(`${url}/ops/outbox?limit=abc`, { headers: { authorization: ops } });
    expect(fields(await problemOf(response, 400))).toContain('query.limit');
  });

  it('answers 413 for a body larger than JSON_BODY_LIMIT', async () => {
    const problem = await problemOf(await postEcho(JSON.stringify({ name: 'x'.repeat(500) })), 413);
    expect(fields(problem)).toEqual(['body']);
  });

  it('answers 400 naming body for malformed JSON', async () => {
    expect(fields(await problemOf(await postEcho('{"name": '), 400))).toEqual(['body']);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const problem = await problemOf(await postEcho('name=Ada', 'application/x-www-form-urlencoded'), 415);
    expect(fields(problem)).toEqual(['header.content-type']);
  });

  it('names each wrong field of a well-formed body', async () => {
    const problem = await problemOf(await postEcho(JSON.stringify({ name: 42 })), 400);
    expect(fields(problem)).toEqual(['body.name']);
    const extra = await problemOf(await postEcho(JSON.stringify({ name: 'Ada', admin: true })), 400);
    expect(fields(extra)).toEqual(['body']);
  });

  it('names a string holding a NUL character, which Postgres cannot store', async () => {
    const problem = await problemOf(await postEcho(JSON.stringify({ name: 'A\u0000' })), 400);
    expect(fields(problem)).toEqual(['body.name']);
  });

  it('answers 401 from /ops/* with a WWW-Authenticate challenge', async () => {
    for (const authorization of [undefined, basic(ctx.config.ops.user, 'wrong')]) {
      const response = await fetch(`${url}/ops/outbox`, { headers: authorization ? { authorization } : {} });
      await problemOf(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
    }
  });
});

describe('bodies the parser refuses, in our words', () => {
  it('answers 413 naming body for a form with more fields than it takes (was 500)', async () => {
    // 25 one-letter fields: 49 bytes, under the 100-byte limit of this file's runtime.
    const form = Array.from({ length: 25 }, (_, i) => String.fromCharCode(97 + i)).join('&');
    const response = await fetch(`${url}/test/form-echo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(fields(await problemOf(response, 413))).toEqual(['body']);
  });

  it('answers 400 naming body for a gzip body that does not inflate (was 500)', async () => {
    const response = await fetch(`${url}/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' });
    expect(fields(await problemOf(response, 400))).toEqual(['body']);
    expect(ctx.logs.filter((l) => l.msg === 'request failed')).toEqual([]);
  });
});

describe('an error after the answer began', () => {
  it('cuts the connection and logs the error by kind, never printing it whole to stderr', async () => {
    // Express prints an error it is handed after the headers (unless its env is 'test'): as in production.
    vi.stubEnv('NODE_ENV', 'production');
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const lateRuntime = await ctx.start({ roles: ['web'], app: { routes: [late] } });
      ctx.used('late.failure@example.nl');
      const response = await fetch(`${baseUrl(lateRuntime)}/test/late-failure`);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 50));
      expect(printed).not.toHaveBeenCalled();
      expect(ctx.logs.some((l) => l.msg === 'request failed' && l.error === 'postgres error 23505, constraint contacts_email_key')).toBe(true);
      await lateRuntime.stop();
    } finally {
      printed.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
