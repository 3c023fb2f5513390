// Issue 17, "hostile input, everywhere": SQL, script and template strings in the text fields of
// every family come back verbatim (stored as data, never run), HTML pages escape them, and a NUL,
// which Postgres cannot store, is a 400 naming the field rather than a 500.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { exportHtml } from '../workers/privacy/access-export.js';
import { caller, fieldsOf, newOrganization, type Call } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call: Call = caller(runtime);
const org = await newOrganization(call, ctx, 'Hostile Text');
const auth = org.key;

const HOSTILE = [
  `Robert'); DROP TABLE contacts;-- "x"`,
  `<script>alert("x")</script><img src=x onerror=alert(1)>`,
  `\${process.env.SECRET_KEY} %s %n \\' \\" $1 :name`,
  `Ünïcödé — 𝔘 😀 \u202eRTL`,
] as const;

interface Field {
  readonly name: string;
  /** Creates a thing with `text` in the field; answers the HTTP status, the field's path and how to read it back. */
  create(text: string): Promise<{ status: number; fields: string[]; readBack?: () => Promise<string | null | undefined> }>;
}

async function created(method: string, path: string, body: unknown, read: (id: string) => Promise<string | null | undefined>) {
  const answer = await call<{ id: string }>(method, path, { auth, body });
  return { status: answer.status, fields: fieldsOf(answer as never), readBack: () => read(answer.body.id) };
}
const get = async <T>(path: string) => (await call<T>('get', path, { auth })).body;

const list = await call<{ id: string }>('post', '/v1/lists', { auth, body: { name: 'Nieuwsbrief', description: null } });

const FIELDS: readonly Field[] = [
  { name: 'body.name', create: (t) => created('post', '/v1/contacts', { role: 'main', name: t, email: 'contact@example.nl' }, async (id) => (await get<{ name: string }>(`/v1/contacts/${id}`)).name) },
  { name: 'body.name', create: (t) => created('post', '/v1/lists', { name: t, description: null }, async (id) => (await get<{ name: string }>(`/v1/lists/${id}`)).name) },
  { name: 'body.description', create: (t) => created('post', '/v1/lists', { name: 'L', description: t }, async (id) => (await get<{ description: string }>(`/v1/lists/${id}`)).description) },
  { name: 'body.name', create: (t) => created('post', '/v1/cost-centres', { code: `KP-${Math.random().toString(36).slice(2, 8)}`, name: t }, async (id) => (await get<{ name: string }>(`/v1/cost-centres/${id}`)).name) },
  { name: 'body.subject', create: (t) => created('post', '/v1/campaigns', { listId: list.body.id, subject: t, html: '<p>Hallo</p>', sendAt: new Date(Date.now() + 86_400_000).toISOString() }, async (id) => (await get<{ subject: string }>(`/v1/campaigns/${id}`)).subject) },
  { name: 'body.reference', create: (t) => created('post', '/v1/sms/batches', { sender: 'TGG', body: 'Uw afspraak is morgen.', reference: t, recipients: [{ phone: '+31612345678' }] }, async (id) => (await get<{ reference: string }>(`/v1/sms/batches/${id}`)).reference) },
];

describe('hostile text in every family', () => {
  it.each(FIELDS.flatMap((field, i) => HOSTILE.map((text) => [i, field.name, text] as const)))('field %i (%s) keeps %j verbatim', async (i, _name, text) => {
    const answer = await FIELDS[i]!.create(text);
    expect(answer.status, JSON.stringify(answer.fields)).toBeLessThan(300);
    expect(await answer.readBack?.()).toBe(text);
  });

  it.each(FIELDS.map((field, i) => [i, field.name] as const))('field %i (%s): a NUL is a 400 naming the field', async (i, name) => {
    const answer = await FIELDS[i]!.create('before\u0000after');
    expect(answer.status).toBe(400);
    expect(answer.fields).toContain(name);
  });

  it('escapes a hostile list name on the public sign-up page', async () => {
    const hostile = await call<{ id: string }>('post', '/v1/lists', { auth, body: { name: HOSTILE[1], description: null } });
    const page = await (await fetch(`${baseUrl(runtime)}/public/lists/${hostile.body.id}/subscribe`)).text();
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&#60;script&#62;alert(&#34;x&#34;)');
  });
});

// Issue 17.26: every page that answers HTML, with the hostile strings wherever a stored or requested value can reach it.
const PAGE_HOSTILE = [`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `'; DROP TABLE x;--`] as const;
const ESCAPED = ['&#60;script&#62;alert(1)&#60;/script&#62;', '&#34;&#62;&#60;img src=x onerror=alert(1)&#62;', '&#39;; DROP TABLE x;--'] as const;

async function htmlAnswer(path: string, headers: Record<string, string> = {}) {
  const answer = await fetch(`${baseUrl(runtime)}${path}`, { headers });
  return { status: answer.status, type: answer.headers.get('content-type') ?? '', csp: answer.headers.get('content-security-policy') ?? '', text: await answer.text() };
}

/** An HTML page under a CSP that runs no inline script or handler but the page's own (hashed) scripts. */
function expectGuarded(page: { type: string; csp: string }) {
  expect(page.type).toMatch(/^text\/html/);
  expect(page.csp).toMatch(/(^|; )script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/);
  expect(page.csp).toContain("script-src-attr 'none'");
  expect(page.csp).not.toContain('unsafe-');
}

describe('hostile text on every HTML page', () => {
  it.each(PAGE_HOSTILE.map((text, i) => [i, text] as const))('the sign-up form and its refusal escape the list name %i: %j', async (i, text) => {
    const hostile = await call<{ id: string }>('post', '/v1/lists', { auth, body: { name: text, description: null } });
    const form = await htmlAnswer(`/public/lists/${hostile.body.id}/subscribe`, { 'accept-language': text });
    const refused = await fetch(`${baseUrl(runtime)}/public/lists/${hostile.body.id}/subscribe?lang=en`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: text, name: text, language: 'nl' }) });
    const pages = [form, { status: refused.status, type: refused.headers.get('content-type') ?? '', csp: refused.headers.get('content-security-policy') ?? '', text: await refused.text() }];
    expect(pages.map((p) => p.status)).toEqual([200, 400]);
    for (const page of pages) {
      expectGuarded(page);
      expect(page.text).not.toContain(text);
      expect(page.text).toContain(ESCAPED[i]);
    }
  });

  // A token or language in the query of a page a mailed link opens: echoed escaped (the confirmation button), or not at all.
  it.each(
    PAGE_HOSTILE.flatMap((text, i) => [
      [`/public/newsletter/confirm?token=${encodeURIComponent(text)}`, i, true],
      [`/public/privacy-requests/verify?token=${encodeURIComponent(text)}`, i, false],
      [`/public/newsletter/unsubscribe?token=${encodeURIComponent(text)}`, i, false],
      [`/public/password-reset?token=${encodeURIComponent(text)}`, i, false],
      [`/public/privacy-requests?lang=${encodeURIComponent(text)}`, i, false],
    ] as const),
  )('%s', async (path, i, echoed) => {
    const page = await htmlAnswer(path, { 'accept-language': PAGE_HOSTILE[i]! });
    expectGuarded(page);
    expect(page.text).not.toContain(PAGE_HOSTILE[i]);
    if (echoed) expect(page.text).toContain(ESCAPED[i]);
    else expect(page.text).not.toContain(ESCAPED[i]);
  });

  it('the access export escapes the stored values it lists', () => {
    const storedData: Record<string, string> = { name: PAGE_HOSTILE[0], organisation: PAGE_HOSTILE[1], note: PAGE_HOSTILE[2] };
    const html = exportHtml({
      request: { id: 'r1', receivedAt: '2026-12-05T00:00:00.000Z', madeAt: '2026-12-05T00:00:00.000Z' },
      controller: 'TGG',
      identifiers: { email: null, phone: null },
      categories: [{ category: 'newsletter.subscribers', purpose: null, retention: null, legalBasis: null, recipients: [], items: [{ table: 'subscribers', id: 's1', organizationId: 'o1', ...storedData }] }],
    });
    for (const [i, text] of PAGE_HOSTILE.entries()) {
      expect(html).not.toContain(text);
      expect(html).toContain(ESCAPED[i]);
    }
  });
});
