// Rotating SECRET_KEY, as an operator does after a leak (adversarial review, 6 December): every
// link signed with the old key died at once, above all the one-click unsubscribe link in each
// campaign mail already sent (P12), and the bounces of mail in flight were no longer ours.
// SECRET_KEY_PREVIOUS keeps former keys verifying while only SECRET_KEY signs.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { signupToken } from '../workers/newsletter/signup-token.js';
import { unsubscribeToken } from '../workers/newsletter/unsubscribe.js';
import { parseVerp, verpReturnPath } from '../workers/newsletter/verp.js';
import { signLink } from '../workers/privacy/signed-link.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';

const OLD = 'the-old-secret-key-that-leaked-0123456789';
const NEW = 'the-new-secret-key-after-rotation-9876543210';
const ctx = await createTestContext({ SECRET_KEY: OLD });
const before = await ctx.start({ roles: ['web'] });
const rotated = await ctx.start({ roles: ['web'], config: ctx.configWith({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD }) });
const dropped = await ctx.start({ roles: ['web'], config: ctx.configWith({ SECRET_KEY: NEW }) });
const call = caller(before);
const org = await newOrganization(call, ctx, 'Sportclub Noord');
const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Clubnieuws' } })).body;
await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'lid@voorbeeld.nl' }, { email: 'lid2@voorbeeld.nl' }] } });
const subscriberOf = async (email: string) => (await ctx.db.selectFrom('newsletter_subscribers').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

const post = (runtime: typeof before, path: string, body: unknown) => fetch(`${baseUrl(runtime)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const unsubscribe = (runtime: typeof before, token: string) => fetch(`${baseUrl(runtime)}/public/newsletter/unsubscribe?token=${token}`, { method: 'POST' });

describe('after SECRET_KEY is rotated', () => {
  it('the unsubscribe link of a mail sent before still works with the former key kept in SECRET_KEY_PREVIOUS, and not without it', async () => {
    const token = unsubscribeToken(OLD, 41, await subscriberOf('lid@voorbeeld.nl'));
    expect((await fetch(`${baseUrl(rotated)}/public/newsletter/unsubscribe?token=${token}`)).status).toBe(200);
    expect((await unsubscribe(dropped, unsubscribeToken(OLD, 42, await subscriberOf('lid2@voorbeeld.nl')))).status).toBe(400);
    expect((await unsubscribe(rotated, token)).status).toBe(200);
    const statuses = await ctx.db.selectFrom('newsletter_subscribers').select(['email', 'status']).orderBy('email').execute();
    expect(statuses).toEqual([{ email: 'lid2@voorbeeld.nl', status: 'subscribed' }, { email: 'lid@voorbeeld.nl', status: 'unsubscribed' }]);
    // A key that was never ours signs nothing.
    expect((await unsubscribe(rotated, unsubscribeToken('a-key-that-was-never-ours-0123456789abc', 43, await subscriberOf('lid2@voorbeeld.nl')))).status).toBe(400);
  });

  it('a confirmation link, a privacy verification link and a VERP return path signed with the former key still verify', async () => {
    expect((await post(before, `/public/lists/${list.id}/subscribe`, { email: 'nieuw@voorbeeld.nl' })).status).toBe(202);
    const signup = await ctx.db.selectFrom('newsletter_signups').select('id').where('email', '=', 'nieuw@voorbeeld.nl').executeTakeFirstOrThrow();
    expect((await post(dropped, '/public/newsletter/confirm', { token: signupToken(OLD, signup.id) })).status).toBe(400);
    expect((await post(rotated, '/public/newsletter/confirm', { token: signupToken(OLD, signup.id) })).status).toBe(200);

    const filed = await post(before, '/public/privacy-requests', { type: 'access', email: 'persoon@voorbeeld.nl' });
    const { id } = (await filed.json()) as { id: string };
    const link = signLink(OLD, 'privacy-verify', id, new Date(Date.now() + 86_400_000));
    expect((await post(dropped, '/public/privacy-requests/verify', { token: link })).status).toBe(400);
    expect((await post(rotated, '/public/privacy-requests/verify', { token: link })).status).toBe(200);

    const settings = { bounceDomain: 'bounces.tgg.test' };
    const returnPath = verpReturnPath({ ...settings, secretKey: OLD }, 4711);
    expect(parseVerp({ ...settings, secretKey: ctx.configWith({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD }).secretKeys }, returnPath)).toBe(4711);
    expect(parseVerp({ ...settings, secretKey: ctx.configWith({ SECRET_KEY: NEW }).secretKeys }, returnPath)).toBeNull();
    // What is signed now is signed with the new key only.
    expect(verpReturnPath({ ...settings, secretKey: [NEW, OLD] }, 4711)).toBe(verpReturnPath({ ...settings, secretKey: NEW }, 4711));
  });

  // Review, 6 December: the SMS code (valid 30 minutes) is stored as an HMAC under SECRET_KEY and
  // was checked under the new key only, so a code sent just before a rotation failed.
  it('a privacy verification code sent by SMS before the rotation still verifies with the former key kept', async () => {
    const codeFor = async (email: string) => {
      const filed = await post(before, '/public/privacy-requests', { type: 'access', email });
      const { id } = (await filed.json()) as { id: string };
      // As queueVerificationCode stores it (the SMS itself is not read here).
      const codeHash = createHmac('sha256', OLD).update(`privacy-code:${id}:123456`).digest();
      await ctx.db.updateTable('privacy_requests').set({ code_hash: codeHash, code_expires_at: sql<Date>`now() + interval '30 minutes'`, code_attempts: 0 }).where('id', '=', id).execute();
      return id;
    };
    const kept = await codeFor('code-bewaard@voorbeeld.nl');
    expect((await post(rotated, `/public/privacy-requests/${kept}/code`, { code: '123456' })).status).toBe(200);
    const lost = await codeFor('code-kwijt@voorbeeld.nl');
    expect((await post(dropped, `/public/privacy-requests/${lost}/code`, { code: '123456' })).status).toBe(400);
  });

  it('refuses a former key shorter than 32 characters, naming the variable', () => {
    expect(() => ctx.configWith({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: `${OLD}, short` })).toThrow(/SECRET_KEY_PREVIOUS/);
  });
});
