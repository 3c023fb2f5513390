// Issue 9, item 10: the dashboard sent ops' IP addresses to Google (its fonts, allowed by the
// CSP's `style-src https:`), and the CSP allowed inline scripts on every page. The pages now
// load nothing from another origin, under a policy of 'self' plus hashes of what is inline.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl, basic } from './helpers/http.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const url = baseUrl(web);
const ops = basic(ctx.config.ops.user, ctx.config.ops.password);

/** The policy's directives by name. */
function directives(csp: string | null): Map<string, string[]> {
  const parsed = (csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]);
  return new Map(parsed.map(([name = '', ...values]) => [name, values]));
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

async function page(path: string, headers: Record<string, string> = {}): Promise<{ html: string; csp: Map<string, string[]>; raw: string }> {
  const response = await fetch(`${url}${path}`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const raw = response.headers.get('content-security-policy') ?? '';
  return { html: await response.text(), csp: directives(raw), raw };
}

describe.each([
  ['the dashboard', '/ops/queues', { authorization: ops }],
  ['a dashboard deep link', '/ops/queues/queue/mail', { authorization: ops }],
  ['the API docs', '/docs/', {}],
  ['the password-reset page', '/public/password-reset?token=x', {}],
])('%s', (_what, path, headers) => {
  it('loads no resource from another origin', async () => {
    const { html } = await page(path, headers);
    const external = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?((?:[a-z][a-z0-9+.-]*:)?\/\/[^"'\s>]+)/gi)].map((m) => m[1]);
    expect(external).toEqual([]);
    expect(html).not.toMatch(/fonts\.googleapis|fonts\.gstatic/);
  });

  it("has a policy of 'self' and hashes: no unsafe-inline script, no https: wildcard", async () => {
    const { html, csp, raw } = await page(path, headers);
    expect(raw).not.toMatch(/https?:|\*|'unsafe-eval'/);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('style-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    // Every inline script and style of the page is allowed by its hash, and nothing else inline.
    for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      if (!/src=|type="application\/json"/.test(attributes ?? '')) expect(csp.get('script-src')).toContain(sha256(body ?? ''));
    }
    for (const [, body] of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) expect(csp.get('style-src')).toContain(sha256(body ?? ''));
  });
});

describe('the dashboard page', () => {
  it('serves every script and stylesheet it names from our own origin', async () => {
    const { html } = await page('/ops/queues', { authorization: ops });
    const base = /<base href="([^"]+)"/.exec(html)?.[1] ?? '/';
    const assets = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const response = await fetch(new URL(asset, `${url}${base}`), { headers: { authorization: ops } });
      expect(response.status, asset).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe('the API', () => {
  it('answers JSON under a policy that allows nothing', async () => {
    const response = await fetch(`${url}/healthz`);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const queues = await fetch(`${url}/ops/queues/api/queues`, { headers: { authorization: ops } });
    expect(directives(queues.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });
});
