// Issue 17, "public endpoints rate limited": one ceiling per client IP over every /public route
// together, 429 problem+json with Retry-After beyond it, other clients and the API untouched.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';

const ctx = await createTestContext({ PUBLIC_RATE_LIMIT: '5', TRUST_PROXY: '1' });
const runtime = await ctx.start({ roles: ['web'] });
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('the public rate limit', () => {
  it('answers 429 with Retry-After to the sixth public request a minute from one address, across routes', async () => {
    const url = baseUrl(runtime);
    const paths = ['/public/register', '/public/privacy-requests', '/public/register', '/public/newsletter/unsubscribe?token=x', '/public/password-reset'];
    for (const path of paths) expect((await fetch(`${url}${path}`, from('198.51.100.7'))).status).not.toBe(429);

    const refused = await fetch(`${url}/public/register`, from('198.51.100.7'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { status: number }).status).toBe(429);

    expect((await fetch(`${url}/public/register`, from('198.51.100.8'))).status).toBe(200);
    expect((await fetch(`${url}/healthz`, from('198.51.100.7'))).status).toBe(200);
  });

  it('keeps no address in Redis: the limiter key is an HMAC', async () => {
    await fetch(`${baseUrl(runtime)}/public/register`, from('203.0.113.99'));
    const dump = await ctx.redisDump();
    expect(dump).toContain(':ratelimit:public');
    expect(dump).not.toContain('203.0.113.99');
    expect(dump).not.toContain('198.51.100.7');
  });
});
