// Issue #9, the ops side as an attacker tries it: guessing the Basic login, making an ops
// browser post from another site, and a production ops password of one character.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../workers/core/config.js';
import { createTestContext } from './helpers/context.js';
import { basic } from './helpers/http.js';
import { batches, mobile } from './helpers/sms.js';
import { caller, newOrganization, newUser, opsAuth, type Answer, type Call } from './helpers/identity.js';

// 3 attempts per ops username, 15 per address; one trusted proxy, so the test picks addresses.
const ctx = await createTestContext({ LOGIN_ATTEMPTS: '3', TRUST_PROXY: '1', OPS_READONLY_USER: 'auditor', OPS_READONLY_PASSWORD: 'auditor-password' });
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const ops = opsAuth(ctx);
const from = (ip: string): Call => (method, path, options = {}) => call(method, path, { ...options, headers: { ...options.headers, 'x-forwarded-for': ip } });

const statuses = (answers: readonly Answer[]) => answers.map((a) => a.status).sort();
const opsLimiterKeys = () => ctx.redis.keys(`${ctx.prefix}:ratelimit:ops-login*`);

function expectTooMany(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
}

describe('guessing the ops login', () => {
  it('refuses a parallel burst of wrong passwords beyond 3, from whatever address, and then the right password until the window passes', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => from(`203.0.113.${i + 1}`)('get', '/ops/outbox', { auth: basic(ctx.config.ops.user, `guess-${i}`) })),
    );
    expect(statuses(guesses)).toEqual([...Array<number>(3).fill(401), ...Array<number>(37).fill(429)]);
    for (const refused of guesses.filter((a) => a.status === 429)) expectTooMany(refused);

    for (const path of ['/ops/outbox', '/ops/queues/api/queues', '/metrics']) expectTooMany(await from('198.51.100.1')('get', path, { auth: ops }));
    // The read-only login is another username: not locked by guesses at "ops".
    expect((await call('get', '/ops/queues/api/queues', { auth: basic('auditor', 'auditor-password') })).status).toBe(200);

    // The lock lasts the window (15 minutes): the keys expire then, as deleting them does now.
    const keys = await opsLimiterKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await ctx.redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000);
    }
    await ctx.redis.del(...keys);
    expect((await call('get', '/ops/outbox', { auth: ops })).status).toBe(200);
  });

  it('refuses one address guessing usernames after 15 attempts', async () => {
    const guesser = from('192.0.2.66');
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => guesser('get', '/ops/outbox', { auth: basic(`admin${i}`, 'ops-dev-password') })));
    expect(statuses(guesses)).toEqual([...Array<number>(15).fill(401), ...Array<number>(5).fill(429)]);
    expectTooMany(await guesser('get', '/ops/outbox', { auth: ops }));
    expect((await from('192.0.2.67')('get', '/ops/outbox', { auth: ops })).status).toBe(200);
    await ctx.redis.del(...(await opsLimiterKeys()));
  });

  it('keeps every request of the right login free, and does not count a request without credentials', async () => {
    const requests = await Promise.all(Array.from({ length: 20 }, () => call('get', '/ops/outbox', { auth: ops })));
    expect(statuses(requests)).toEqual(Array<number>(20).fill(200));
    for (let i = 0; i < 5; i++) expect((await call('get', '/ops/outbox')).status).toBe(401);
    expect((await call('get', '/ops/outbox', { auth: ops })).status).toBe(200);
  });
});

const org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
const user = await newUser(call, org.key, { username: 'forged.target' });
const victim = await newOrganization(call, ctx, 'Stichting Doelwit');
const batchId = await batches(call, () => org.key).submit('Gemeente', 'Hallo', [{ phone: mobile(1) }, { phone: mobile(2) }]);
await ctx.db.updateTable('sms_messages').set({ status: 'unknown' }).where('batch_id', '=', batchId).execute();

describe('forged cross-site requests to ops', () => {
  const actions = [`/ops/users/${user.id}/compromised`, `/ops/organizations/${victim.id}/end`, `/ops/sms/batches/${batchId}/resend-unknown`];
  /** A form POST (no body, as a browser sends an auto-submitted form), with the ops login a browser resends by itself. */
  const formPost = (path: string, headers: Record<string, string>) =>
    call('post', path, { auth: ops, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

  async function state() {
    const row = await ctx.db.selectFrom('users').select(['must_change_password', 'compromised_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
    const ended = await ctx.db.selectFrom('organizations').select('ended_at').where('id', '=', victim.id).executeTakeFirstOrThrow();
    const unknown = await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', '=', batchId).where('status', '=', 'unknown').execute();
    return { compromised: row.compromised_at !== null, ended: ended.ended_at !== null, unknown: unknown.length };
  }

  it.each([
    ['Origin: https://evil.example', { origin: 'https://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['a same-site Origin on another port', { origin: 'http://localhost:3001' }],
    ['Sec-Fetch-Site: cross-site and no Origin', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site and no Origin', { 'sec-fetch-site': 'same-site' }],
  ])('refuses %s with 403 and changes nothing', async (_what, headers) => {
    const before = await state();
    expect(before).toEqual({ compromised: false, ended: false, unknown: 2 });
    for (const path of actions) {
      const answer = await formPost(path, headers);
      expect(answer.status, path).toBe(403);
      expect(answer.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
    }
    const dashboard = await call('put', '/ops/queues/api/queues/mail/retry/failed', { auth: ops, headers });
    expect(dashboard.status).toBe(403);
    expect(await state()).toEqual(before);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('action', 'in', ['user.compromised', 'organization.ended', 'sms.batch.resend_unknown']).execute()).toEqual([]);
    // Reading is not refused.
    expect((await call('get', '/ops/outbox', { auth: ops, headers })).status).toBe(200);
  });

  it('lets a browser on our own origin, and a client that names no origin, act', async () => {
    const own = new URL(ctx.config.publicUrl).origin;
    expect((await formPost(actions[0]!, { origin: own })).status).toBe(200);
    expect((await formPost(actions[1]!, { origin: `http://127.0.0.1:${web.port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await formPost(actions[2]!, {})).status).toBe(200);
    expect(await state()).toEqual({ compromised: true, ended: true, unknown: 0 });
    expect((await call('put', '/ops/queues/api/queues/mail/retry/failed', { auth: ops, headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });
});

describe('ops passwords in production', () => {
  const production = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://sms.example.nl',
    SECRET_KEY: 'a'.repeat(40),
    SUPPRESSION_KEY: 'b'.repeat(40),
    SMTP_URL: 'smtp://relay.example.nl:587',
    SMS_PROVIDER: 'outbox',
  };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ ...production, ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('must be 16 characters or more, the read-only one too', () => {
    expect(problemsOf({ OPS_PASSWORD: 'a' })).toEqual(['OPS_PASSWORD: at least 16 characters in production']);
    expect(problemsOf({ OPS_PASSWORD: 'x'.repeat(15) })).toEqual(['OPS_PASSWORD: at least 16 characters in production']);
    expect(problemsOf({ OPS_PASSWORD: 'x'.repeat(16) })).toEqual([]);
    expect(problemsOf({ OPS_PASSWORD: 'x'.repeat(16), OPS_READONLY_USER: 'auditor', OPS_READONLY_PASSWORD: 'short-one' })).toEqual([
      'OPS_READONLY_PASSWORD: at least 16 characters in production',
    ]);
    expect(problemsOf({ OPS_PASSWORD: 'x'.repeat(16), OPS_READONLY_USER: 'auditor', OPS_READONLY_PASSWORD: 'y'.repeat(16) })).toEqual([]);
    // Outside production a short password is the developer's business.
    expect(() => loadConfig({ OPS_PASSWORD: 'a', OPS_READONLY_USER: 'auditor', OPS_READONLY_PASSWORD: 'b' })).not.toThrow();
  });
});
