// Every error of the API is an RFC 9457 problem (application/problem+json) whose `errors`
// name the offending fields, whatever part of the stack raised it.
import { describe, expect, it } from 'vitest';
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

const runtime = await ctx.start({ roles: ['web'], config: ctx.configWith({ JSON_BODY_LIMIT: '100b' }), app: { routes: [echo] } });
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
