// Issue 9, item 6: a body nested 300,000 deep sent without logging in overflowed the stack
// (500). It is refused with a 400 naming the body, before JSON.parse, and the walk after
// parsing has no recursion left to overflow.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../api/json-depth.js';
import { HttpError } from '../api/problem.js';
import { parseInput } from '../api/validate.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const url = baseUrl(runtime);

/** About 600 KB: a login whose username is an array nested `depth` deep. */
const nestedLogin = (depth: number) => `{"username":${'['.repeat(depth)}${']'.repeat(depth)},"password":"x"}`;
const nestedObject = (depth: number) => `{"token":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},"password":"x"}`;

const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('deeply nested JSON', () => {
  it.each([
    ['/v1/sessions', nestedLogin(300_000)],
    ['/public/password-reset', nestedObject(120_000)],
  ])('answers 400 naming the body for %s', async (path, body) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([{ field: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  });

  it('lets a body at the limit through to validation', async () => {
    const response = await post('/v1/sessions', `{"username":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)},"password":"x"}`);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toContain('body.username');
  });

  it('refuses the depth after parsing too (a charset the byte scan skips)', async () => {
    const body = Buffer.from(nestedLogin(200_000), 'utf16le'); // 800 KB, under JSON_BODY_LIMIT
    const response = await post('/v1/sessions', body as unknown as string, 'application/json; charset=utf-16le');
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([{ field: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  });
});

describe('the depth scan', () => {
  it('counts brackets outside strings only', () => {
    const deepInString = JSON.stringify({ text: '['.repeat(1000), quoted: '"\\[{'.repeat(100) });
    expect(jsonDepthExceeds(Buffer.from(deepInString))).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('[[[]]]'), 3)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('[[[[]]]]'), 3)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('{"a":[{"b":{}}]}'), 3)).toBe(true);
    // A string ending in an escaped backslash ends at its quote; an escaped quote does not end it.
    expect(jsonDepthExceeds(Buffer.from(JSON.stringify({ a: 'x\\', b: [[[[]]]] })), 3)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from(JSON.stringify({ a: 'x"[[[[', b: [] })), 3)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('{"a":"unterminated [[[['), 3)).toBe(false);
  });

  it('walks a parsed value nested 300,000 deep without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(300_000)}${']'.repeat(300_000)}`) as unknown;
    const refused = (() => {
      try {
        parseInput('body', z.unknown(), deep);
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(400);
  });
});
