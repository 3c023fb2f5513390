// Issue #9, the members' login as an attacker tries it: a parallel burst of guesses, guesses
// spread over an IPv6 /64, the leaked password of a compromised account; and answers carrying
// a secret kept out of caches.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { throttledNetwork } from '../api/client-ip.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, login, newOrganization, newUser, opsAuth, type Answer, type Call } from './helpers/identity.js';

const ctx = await createTestContext(); // LOGIN_ATTEMPTS 10: 10 per username, 50 per address
const web = await ctx.start({ roles: ['web', 'mail'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Woningcorporatie Oost');

// Behind one trusted proxy, with 2 attempts per username (10 per address), for clients that
// the test places at addresses of its choosing (X-Forwarded-For).
const proxied = caller(await ctx.start({ roles: ['web'], config: ctx.configWith({ TRUST_PROXY: '1', LOGIN_ATTEMPTS: '2' }) }));
const from = (ip: string): Call => (method, path, options = {}) => proxied(method, path, { ...options, headers: { ...options.headers, 'x-forwarded-for': ip } });

const statuses = (answers: readonly Answer[]) => answers.map((a) => a.status).sort();
const loginAs = (c: Call, username: string, password: string) => c('post', '/v1/sessions', { body: { organization: org.slug, username, password } });

describe('the login throttle', () => {
  it('lets at most 10 of 59 parallel wrong passwords for one user reach the password check, and then refuses the right one', async () => {
    const user = await newUser(call, org.key, { username: 'burst.target' });
    const burst = await Promise.all(Array.from({ length: 59 }, (_, i) => loginAs(call, user.username, `wrong-password-${i}`)));
    expect(statuses(burst)).toEqual([...Array<number>(10).fill(401), ...Array<number>(49).fill(429)]);
    for (const refused of burst.filter((a) => a.status === 429)) {
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }

    const right = await loginAs(call, user.username, user.password);
    expect(right.status).toBe(429);
    expect(await ctx.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    // The burst used 10 of the address's 50 attempts, not 59: another user still logs in.
    const other = await newUser(call, org.key, { username: 'burst.bystander' });
    await login(call, other);
  }, 60_000);

  it('counts an IPv6 client by its /64: new addresses in the same /64 do not buy new attempts', async () => {
    // 14 guesses at 14 different usernames from 14 addresses of one /64; the /64 has 10.
    const burst = await Promise.all(Array.from({ length: 14 }, (_, i) => loginAs(from(`2001:db8:1:2::${i + 1}`), `nobody.${i}`, 'wrong-password-1')));
    expect(statuses(burst)).toEqual([...Array<number>(10).fill(401), ...Array<number>(4).fill(429)]);
    expect((await loginAs(from('2001:db8:1:2:ffff:ffff:ffff:ffff'), 'nobody.else', 'wrong-password-1')).status).toBe(429);
    // The next /64 is another client.
    expect((await loginAs(from('2001:db8:1:3::1'), 'nobody.else', 'wrong-password-1')).status).toBe(401);
  }, 60_000);

  it('gives a successful login its attempt back', async () => {
    const user = await newUser(call, org.key, { username: 'often.here' });
    const here = from('198.51.100.7');
    expect((await loginAs(here, user.username, 'wrong-password-1')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await loginAs(here, user.username, user.password)).status).toBe(201);
    expect((await loginAs(here, user.username, 'wrong-password-2')).status).toBe(401);
    expect((await loginAs(here, user.username, user.password)).status).toBe(429);
  }, 60_000);

  it.each([
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9%eth0', '2001:db8:1:2::/64'],
    ['::ffff:192.0.2.10', '192.0.2.10'],
    ['192.0.2.10', '192.0.2.10'],
  ])('counts %s as %s', (ip, network) => {
    expect(throttledNetwork(ip)).toBe(network);
  });
});

describe('a compromised account', () => {
  it('answers its leaked (right) password exactly as a wrong one, and counts it', async () => {
    const user = await newUser(call, org.key, { username: 'leaked.login' });
    expect((await call('post', `/ops/users/${user.id}/compromised`, { auth: opsAuth(ctx) })).status).toBe(200);
    const here = from('198.51.100.8');
    const leaked = await loginAs(here, user.username, user.password);
    const wrong = await loginAs(here, user.username, 'wrong-password-1');
    expect(leaked.status).toBe(401);
    expect(leaked.body).toEqual(wrong.body);
    for (const header of ['www-authenticate', 'content-type', 'cache-control']) expect(leaked.headers.get(header), header).toBe(wrong.headers.get(header));
    // Two attempts used: the leaked password is refused as any other.
    expect((await loginAs(here, user.username, user.password)).status).toBe(429);
  });
});

describe('answers carrying a secret', () => {
  it('are Cache-Control: no-store: a new organisation key, a new key, a session, a reset link', async () => {
    const created = await call<{ organization: { id: string } }>('post', '/ops/organizations', { auth: opsAuth(ctx), body: { name: 'Zorggroep Noord' } });
    const key = await call('post', '/v1/api-keys', { auth: org.key, body: { name: 'cached?', scopes: ['sms'] } });
    const user = await newUser(call, org.key, { username: 'cache.user', email: 'cache.user@example.nl' });
    const session = await loginAs(call, user.username, user.password);
    expect((await call('post', `/v1/users/${user.id}/compromised`, { auth: org.key })).status).toBe(200);
    const mail = await waitFor(
      () => ctx.db.selectFrom('mail_outbox').select('id').where(sql<boolean>`${'cache.user@example.nl'} = ANY(envelope_to)`).executeTakeFirst(),
      'the reset mail in the outbox',
    );
    const answers = {
      organization: created,
      key,
      session,
      'reset mail (ops outbox)': await call('get', `/ops/outbox/${mail.id}`, { auth: opsAuth(ctx) }),
      'reset page': await call('get', '/public/password-reset?token=abc'),
    };
    for (const [what, answer] of Object.entries(answers)) {
      expect(answer.status, what).toBeLessThan(300);
      expect(answer.headers.get('cache-control'), what).toBe('no-store');
    }
  });
});
