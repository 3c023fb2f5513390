// Who may call /v1: every way of holding a dead or wrong credential answers 401 with a Bearer
// challenge, a key outside its scopes 403, a busy key 429; keys are stored only as hashes.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, login, newKey, newOrganization, newUser, opsAuth, type Answer } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Bakkerij Jansen');

/** A /v1 route every valid admin credential may read. */
const PROBE = '/v1/api-keys';

function expectUnauthorized(answer: Answer): void {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  expect(answer.body).toMatchObject({ status: 401, title: 'Unauthorized' });
}

async function expectWorks(auth: string): Promise<void> {
  expect((await call('get', PROBE, { auth })).status).toBe(200);
}

let serial = 0;
const unique = (base: string) => `${base}${++serial}`;

describe('401 for every dead or wrong credential', () => {
  const cases: { name: string; credential: () => Promise<string | undefined> }[] = [
    { name: 'no Authorization header', credential: () => Promise.resolve(undefined) },
    { name: 'a malformed header (Bearer without a token)', credential: () => Promise.resolve('Bearer ') },
    { name: 'a malformed header (Basic instead of Bearer)', credential: () => Promise.resolve(`Basic ${Buffer.from(`x:${org.key}`).toString('base64')}`) },
    { name: 'a malformed header (two tokens)', credential: () => Promise.resolve(`Bearer ${org.key} ${org.key}`) },
    { name: 'a key-shaped string that was never issued', credential: () => Promise.resolve(`Bearer tgg_${'A'.repeat(43)}`) },
    { name: 'a wrong key (one character changed)', credential: () => Promise.resolve(`Bearer ${org.key.slice(0, -1)}${org.key.endsWith('A') ? 'B' : 'A'}`) },
    {
      name: 'a revoked key',
      credential: async () => {
        const key = await newKey(call, org.key, { name: unique('to revoke'), scopes: ['admin'] });
        await expectWorks(key.key);
        expect((await call('delete', `/v1/api-keys/${key.id}`, { auth: org.key })).status).toBe(204);
        return `Bearer ${key.key}`;
      },
    },
    {
      name: 'an expired session',
      credential: async () => {
        const user = await newUser(call, org.key, { username: unique('expired.user') });
        const token = await login(call, user);
        await expectWorks(token);
        await ctx.db.updateTable('sessions').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('user_id', '=', user.id).execute();
        return `Bearer ${token}`;
      },
    },
    {
      name: 'a session after logging out (DELETE /v1/sessions/current)',
      credential: async () => {
        const user = await newUser(call, org.key, { username: unique('logout.user') });
        const token = await login(call, user);
        await expectWorks(token);
        expect((await call('delete', '/v1/sessions/current', { auth: token })).status).toBe(204);
        return `Bearer ${token}`;
      },
    },
    {
      name: 'a key of an ended organisation',
      credential: async () => {
        const ending = await newOrganization(call, ctx, unique('Ending org '));
        await expectWorks(ending.key);
        expect((await call('post', `/ops/organizations/${ending.id}/end`, { auth: opsAuth(ctx) })).status).toBe(200);
        return `Bearer ${ending.key}`;
      },
    },
    {
      name: 'a session of a user of an ended organisation',
      credential: async () => {
        const ending = await newOrganization(call, ctx, unique('Ending org '));
        const user = await newUser(call, ending.key, { username: unique('ended.org.user') });
        const token = await login(call, user);
        await expectWorks(token);
        expect((await call('post', `/ops/organizations/${ending.id}/end`, { auth: opsAuth(ctx) })).status).toBe(200);
        return `Bearer ${token}`;
      },
    },
  ];

  it.each(cases)('$name', async ({ credential }) => {
    const auth = await credential();
    expectUnauthorized(await call('get', PROBE, auth === undefined ? {} : { auth }));
    // A write route is guarded the same way.
    expectUnauthorized(await call('post', '/v1/contacts', { ...(auth !== undefined && { auth }), body: { role: 'main', name: 'Klaas', email: 'klaas@example.nl' } }));
  });

  it("401 for the key and the session of a user marked compromised; the organisation's own key keeps working", async () => {
    const user = await newUser(call, org.key, { username: unique('leaky.user') });
    const session = await login(call, user);
    const userKey = await newKey(call, session, { name: 'my key', scopes: ['admin'], owner: 'user' });
    await expectWorks(session);
    await expectWorks(userKey.key);

    const marked = await call('post', `/ops/users/${user.id}/compromised`, { auth: opsAuth(ctx) });
    expect(marked.status).toBe(200);
    expect(marked.body).toEqual({ sessionsRevoked: 1, keysRevoked: 1, revokedKeys: [{ id: userKey.id, prefix: userKey.prefix }] });

    expectUnauthorized(await call('get', PROBE, { auth: session }));
    expectUnauthorized(await call('get', PROBE, { auth: userKey.key }));
    await expectWorks(org.key);
  });
});

describe('403 outside the scopes', () => {
  it('refuses a key without the admin scope on an admin route, and a member session too', async () => {
    const smsOnly = await newKey(call, org.key, { name: 'sms only', scopes: ['sms'] });
    for (const path of ['/v1/contacts', '/v1/users', '/v1/api-keys']) {
      const answer = await call('get', path, { auth: smsOnly.key });
      expect(answer.status, path).toBe(403);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 403, detail: 'This needs the admin scope.' });
    }
    const member = await newUser(call, org.key, { username: 'member.only', role: 'member' });
    const session = await login(call, member);
    expect((await call('get', '/v1/contacts', { auth: session })).status).toBe(403);
    // The member can still read themselves.
    expect((await call('get', `/v1/users/${member.id}`, { auth: session })).status).toBe(200);
  });

  it('refuses a key with more scopes than its creator holds', async () => {
    const adminOnly = await newKey(call, org.key, { name: 'admin only', scopes: ['admin'] });
    const answer = await call('post', '/v1/api-keys', { auth: adminOnly.key, body: { name: 'wider', scopes: ['admin', 'sms'] } });
    expect(answer.status).toBe(403);
    expect(await ctx.db.selectFrom('api_keys').select('id').where('name', '=', 'wider').execute()).toEqual([]);
  });
});

describe('per-key rate limit', () => {
  it('answers 429 with Retry-After once a key used its requests, and counts each key apart', async () => {
    const limited = await ctx.start({ roles: ['web'], config: ctx.configWith({ API_RATE_LIMIT: '3' }) });
    try {
      const limitedCall = caller(limited);
      const busy = await newKey(call, org.key, { name: 'busy', scopes: ['admin'] });
      const quiet = await newKey(call, org.key, { name: 'quiet', scopes: ['admin'] });
      for (let i = 0; i < 3; i++) expect((await limitedCall('get', PROBE, { auth: busy.key })).status).toBe(200);
      const refused = await limitedCall('get', PROBE, { auth: busy.key });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await limitedCall('get', PROBE, { auth: quiet.key })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('keys at rest', () => {
  it('records last_used_at after a key is used', async () => {
    const key = await newKey(call, org.key, { name: 'first use', scopes: ['admin'] });
    const lastUsed = () => ctx.db.selectFrom('api_keys').select('last_used_at').where('id', '=', key.id).executeTakeFirstOrThrow();
    expect((await lastUsed()).last_used_at).toBeNull();
    await expectWorks(key.key);
    const at = await waitFor(async () => (await lastUsed()).last_used_at ?? undefined, 'last_used_at to be written');
    expect(at).toBeInstanceOf(Date);
    const listed = await call<{ items: { id: string; lastUsedAt: string | null }[] }>('get', PROBE, { auth: org.key });
    expect(listed.body.items.find((k) => k.id === key.id)?.lastUsedAt).toBe(at.toISOString());
  });

  it('stores keys and session tokens only as SHA-256 hashes, and never lists the key', async () => {
    const key = await newKey(call, org.key, { name: 'hashed', scopes: ['admin', 'sms'] });
    const user = await newUser(call, org.key, { username: 'hash.user' });
    const session = await login(call, user);
    await expectWorks(key.key);
    await expectWorks(session);
    const secrets = [org.key, key.key, session];

    const keyRows = await sql<{ row: string }>`SELECT k::text AS row FROM api_keys k`.execute(ctx.db);
    const sessionRows = await sql<{ row: string }>`SELECT s::text AS row FROM sessions s`.execute(ctx.db);
    const stored = [...keyRows.rows, ...sessionRows.rows].map((r) => r.row).join('\n');
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(secret.indexOf('_') + 1));
    }
    const row = await ctx.db.selectFrom('api_keys').select(['secret_hash', 'prefix']).where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.secret_hash.equals(createHash('sha256').update(key.key).digest())).toBe(true);
    expect(key.key.startsWith(row.prefix)).toBe(true);
    expect(row.prefix.length).toBeLessThan(16);

    const listed = await call<{ items: { id: string; prefix: string; scopes: string[] }[] }>('get', PROBE, { auth: org.key });
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((k) => k.id === key.id)).toMatchObject({ prefix: row.prefix, scopes: ['admin', 'sms'] });
    const text = JSON.stringify(listed.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const item of listed.body.items) expect(Object.keys(item)).not.toContain('key');

    // Nor does Redis (the rate limiter) hold a key or a token.
    const redis = await ctx.redisDump();
    for (const secret of secrets) expect(redis).not.toContain(secret);
  });
});
