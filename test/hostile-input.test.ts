// Issue 17, hostile input found by attacking a running platform route by route (the answers and
// what was kept): a path segment that does not decode, call-detail files with a NUL, an
// impossible amount or duration, a binary or UTF-16 file read as text, and a subscriber CSV
// with a NUL or a cut emoji. Each was a 500 or an upload retried ten times and then 'failed'.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';

const ctx = await createTestContext({ TEM_MAX_BAD_ROWS: '50' });
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const url = baseUrl(runtime);
const org = await newOrganization(call, ctx, 'Vijandig BV');

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { status: number; errors?: { field: string; message: string }[] };
}

describe('a path segment that is not percent-encoded UTF-8', () => {
  it('answers 400 naming the path, on /v1, /public and /ops (was 500)', async () => {
    const v1 = await problemOf(await fetch(`${url}/v1/contacts/%ED%A0%80`, { headers: { authorization: `Bearer ${org.key}` } }), 400);
    expect(v1.errors).toEqual([{ field: 'path', message: 'not valid percent-encoded UTF-8' }]);
    await problemOf(await fetch(`${url}/v1/lists/%E0%A4%A/subscribers`, { method: 'POST', headers: { authorization: `Bearer ${org.key}` } }), 400);
    await problemOf(await fetch(`${url}/public/lists/%C0%AF/subscribe`), 400);
    await problemOf(await fetch(`${url}/ops/privacy-requests/%ED%A0%80`, { headers: { authorization: opsAuth(ctx) } }), 400);
    await problemOf(await fetch(`${url}/v1/sms/opt-outs/%FF`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } }), 400);
  });
});

