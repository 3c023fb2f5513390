// Users (P9 in ARCHITECTURE.md): strong unique credentials, a login that tells nothing and is
// throttled, and "compromised" revoking everything at once with a reset link by mail.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { STRONG_PASSWORD, caller, fieldsOf, login, newKey, newOrganization, newUser, opsAuth } from './helpers/identity.js';

const LOGIN_ATTEMPTS = 3;
const ctx = await createTestContext({ LOGIN_ATTEMPTS: String(LOGIN_ATTEMPTS) });
// With a mail role, the reset mail goes out through the local outbox (SMTP_URL unset).
const runtime = await ctx.start({ roles: ['web', 'mail'] });
const call = caller(runtime);
const orgA = await newOrganization(call, ctx, 'Installatiebedrijf De Vries');
const orgB = await newOrganization(call, ctx, 'Transport Smit');

describe('POST /v1/users', () => {
  it.each([
    ['too short (11 characters)', 'Kort-maar-1'],
    ['common', 'password1234'],
    ['common', 'qwertyuiop123'],
    ['common, whatever the case', 'Password1234'],
    ['containing the username', 'xx-piet.weak-user-xx'],
  ])('refuses a password that is %s: %s', async (_why, password) => {
    const answer = await call('post', '/v1/users', { auth: orgA.key, body: { username: 'piet.weak-user', email: 'piet@example.nl', password } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(fieldsOf(answer)).toEqual(['body.password']);
    expect(await ctx.db.selectFrom('users').select('id').where('username', '=', 'piet.weak-user').execute()).toEqual([]);
  });

  it('stores only an scrypt hash of the password', async () => {
    const user = await newUser(call, orgA.key, { username: 'hash.check', password: 'Lange-zomer-avond-42' });
    const row = await ctx.db.selectFrom('users').select(['password_hash', 'must_change_password']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$')).toBe(true);
    expect(row.password_hash).not.toContain('Lange-zomer-avond-42');
    expect(row.must_change_password).toBe(false);
  });

  it('refuses a username already taken in the organisation, whatever the case', async () => {
    await newUser(call, orgA.key, { username: 'Jan.Jansen' });
    for (const username of ['jan.jansen', 'JAN.JANSEN', 'Jan.Jansen']) {
      const answer = await call('post', '/v1/users', { auth: orgA.key, body: { username, email: 'jan@example.nl', password: STRONG_PASSWORD } });
      expect(answer.status, username).toBe(409);
      expect(fieldsOf(answer)).toEqual(['body.username']);
    }
    const rows = await ctx.db.selectFrom('users').select('organization_id').where('username', 'ilike', 'jan.jansen').execute();
    expect(rows).toEqual([{ organization_id: orgA.id }]);
  });
});

describe('POST /v1/sessions', () => {
  it('gives a session token usable as Bearer', async () => {
    const user = await newUser(call, orgA.key, { username: 'login.ok', role: 'member' });
    const answer = await call<{ token: string; expiresAt: string }>('post', '/v1/sessions', { body: { organization: orgA.slug, username: 'LOGIN.ok', password: user.password } });
    expect(answer.status).toBe(201);
    expect(new Date(answer.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await call<{ id: string; username: string }>('get', `/v1/users/${user.id}`, { auth: answer.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, username: 'login.ok' });
  });

  it('answers a wrong password and an unknown username alike', async () => {
    const user = await newUser(call, orgA.key, { username: 'login.same' });
    const wrong = await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: user.username, password: 'not-the-password-1' } });
    const unknown = await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: 'nobody.here', password: 'not-the-password-1' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
    expect(unknown.headers.get('content-type')).toBe(wrong.headers.get('content-type'));
  });

  it(`throttles a username after ${LOGIN_ATTEMPTS} failures, even for the right password, without the username in Redis`, async () => {
    const user = await newUser(call, orgA.key, { username: 'Throttled.User' });
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) {
      expect((await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: user.username, password: `wrong-password-${i}` } })).status).toBe(401);
    }
    for (const username of [user.username, 'throttled.user']) {
      const refused = await call('post', '/v1/sessions', { body: { organization: orgA.slug, username, password: user.password } });
      expect(refused.status, username).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(await ctx.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual([]);

    // Another username from the same address still logs in.
    const other = await newUser(call, orgA.key, { username: 'not.throttled' });
    await login(call, other);

    const keys = await ctx.redis.keys(`${ctx.prefix}:ratelimit*`);
    expect(keys.some((k) => k.includes('login-user'))).toBe(true);
    const dump = (await ctx.redisDump()).toLowerCase();
    expect(dump).not.toContain('throttled');
    expect(dump).not.toContain('127.0.0.1');
  });
});

describe('a user marked compromised', () => {
  /** Decodes the quoted-printable text of a raw message enough to read a link. */
  const readable = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  let serial = 0;
  const actors = [
    { by: 'the user themselves (session)', actorType: 'user', auth: (self: { session: string }) => self.session, viaOps: false },
    { by: 'an admin of the organisation (key)', actorType: 'api_key', auth: () => orgA.key, viaOps: false },
    { by: 'ops (POST /ops/users/{id}/compromised)', actorType: 'ops', auth: () => opsAuth(ctx), viaOps: true },
  ] as const;

  it.each(actors)('by $by: revokes everything, blocks the old password, audits, and mails a reset link that works once', async ({ actorType, auth, viaOps }) => {
    const username = `leaked.user${++serial}`;
    const email = `leaked${serial}@example.nl`;
    const user = await newUser(call, orgA.key, { username, email, role: 'admin' });
    const session = await login(call, user);
    const otherSession = await login(call, user);
    const key = await newKey(call, session, { name: 'personal', scopes: ['admin'], owner: 'user' });
    const bystander = await newUser(call, orgA.key, { username: `bystander${serial}` });
    const bystanderSession = await login(call, bystander);

    const path = viaOps ? `/ops/users/${user.id}/compromised` : `/v1/users/${user.id}/compromised`;
    const marked = await call('post', path, { auth: auth({ session }) });
    expect(marked.status).toBe(200);
    expect(marked.body).toEqual({ sessionsRevoked: 2, keysRevoked: 1, revokedKeys: [{ id: key.id, prefix: key.prefix }] });

    for (const token of [session, otherSession, key.key]) expect((await call('get', `/v1/users/${user.id}`, { auth: token })).status).toBe(401);
    expect((await call('get', `/v1/users/${bystander.id}`, { auth: bystanderSession })).status).toBe(200);
    const oldPassword = await call('post', '/v1/sessions', { body: { organization: orgA.slug, username, password: user.password } });
    expect(oldPassword.status).toBe(401); // as a wrong password: the leak is not confirmed
    const me = await call<{ mustChangePassword: boolean; compromisedAt: string | null }>('get', `/v1/users/${user.id}`, { auth: orgA.key });
    expect(me.body).toMatchObject({ mustChangePassword: true, compromisedAt: expect.any(String) as unknown });

    const audits = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.compromised').where('entity_id', '=', user.id).execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_type: actorType, organization_id: orgA.id, entity_type: 'user' });
    const auditText = JSON.stringify(audits[0]);
    expect(auditText).not.toContain(email);
    expect(auditText).not.toContain('@');
    expect(auditText).not.toContain(username);

    const mails = await ctx.db.selectFrom('mail_messages').selectAll().where('purpose', '=', 'password-reset').where('to_address', '=', email).execute();
    expect(mails).toHaveLength(1);
    const outbox = await waitFor(
      () => ctx.db.selectFrom('mail_outbox').selectAll().where(sql<boolean>`${email} = ANY(envelope_to)`).executeTakeFirst(),
      'the reset mail in the outbox',
    );
    expect(await ctx.db.selectFrom('mail_messages').select('status').where('id', '=', mails[0]!.id).executeTakeFirstOrThrow()).toEqual({ status: 'sent' });
    const link = /https?:\/\/\S+\/public\/password-reset\?token=([^&\s]+)/.exec(readable(outbox.raw));
    expect(link, 'a reset link in the mail').not.toBeNull();
    const token = decodeURIComponent(link![1]!);
    expect(readable(outbox.raw)).not.toContain(user.password);
    // The link opens a page whose form posts the token; the link itself names the route.
    const page = await fetch(`http://127.0.0.1:${runtime.port}/public/password-reset?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain("fetch('/public/password-reset'");

    const weak = await call('post', '/public/password-reset', { body: { token, password: 'password1234' } });
    expect(weak.status).toBe(400);
    expect(fieldsOf(weak)).toEqual(['body.password']);
    const newPassword = `Nieuw-wachtwoord-${serial}-veilig`;
    expect((await call('post', '/public/password-reset', { body: { token, password: newPassword } })).status).toBe(204);
    const again = await call('post', '/public/password-reset', { body: { token, password: `${newPassword}-2` } });
    expect(again.status).toBe(400);
    expect(fieldsOf(again)).toEqual(['body.token']);

    expect((await call('post', '/v1/sessions', { body: { organization: orgA.slug, username, password: user.password } })).status).toBe(401);
    const fresh = await login(call, { ...user, password: newPassword });
    expect((await call('get', `/v1/users/${user.id}`, { auth: fresh })).body).toMatchObject({ mustChangePassword: false });
    const row = await ctx.db.selectFrom('users').select('must_change_password').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(false);
    // The revoked key stays revoked after the reset.
    expect((await call('get', `/v1/users/${user.id}`, { auth: key.key })).status).toBe(401);
  });

  it('cannot be done to another user by a member, nor to a user of another organisation', async () => {
    const member = await newUser(call, orgA.key, { username: 'plain.member', role: 'member' });
    const memberSession = await login(call, member);
    const target = await newUser(call, orgA.key, { username: 'target.user' });
    const targetSession = await login(call, target);

    expect((await call('post', `/v1/users/${target.id}/compromised`, { auth: memberSession })).status).toBe(403);
    expect((await call('post', `/v1/users/${target.id}/compromised`, { auth: orgB.key })).status).toBe(404);
    expect((await call('get', `/v1/users/${target.id}`, { auth: targetSession })).status).toBe(200);
    const row = await ctx.db.selectFrom('users').select(['must_change_password', 'compromised_at']).where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ must_change_password: false, compromised_at: null });
    expect(await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'user.compromised').where('entity_id', '=', target.id).execute()).toEqual([]);
  });
});

// Adversarial review: there was no way to take a leaver's access away. "Compromised" revokes,
// but mails the leaver a reset link that lets them back in; only ending the whole organisation
// stopped them. DELETE /v1/users/{id} removes the account with its sessions, reset links and keys.
describe('DELETE /v1/users/{id}: a user who left', () => {
  it('ends every session, own key and reset link at once; keys made for the organisation stay, named; audited by ids', async () => {
    const leaver = await newUser(call, orgA.key, { username: 'vertrokken.medewerker', email: 'vertrokken@example.nl', role: 'admin' });
    const session = await login(call, leaver);
    const ownKey = await newKey(call, session, { name: 'mijn sleutel', scopes: ['sms'], owner: 'user' });
    const orgKey = await newKey(call, session, { name: 'koppeling', scopes: ['sms'] });
    // Marked compromised first, as an admin would have had to: a reset link is on its way to the leaver.
    expect((await call('post', `/v1/users/${leaver.id}/compromised`, { auth: orgA.key })).status).toBe(200);
    const resetMail = await ctx.db.selectFrom('mail_messages').select('text_body').where('purpose', '=', 'password-reset').where('to_address', '=', leaver.email).executeTakeFirstOrThrow();
    const token = decodeURIComponent(/password-reset\?token=([^&\s]+)/.exec(resetMail.text_body)![1]!);
    const session2 = await login(call, leaver).catch(() => undefined);
    expect(session2).toBeUndefined();

    const removed = await call<Record<string, unknown>>('delete', `/v1/users/${leaver.id}`, { auth: orgA.key });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ sessionsEnded: 0, keysDeleted: [{ id: ownKey.id, prefix: ownKey.prefix }], keysMadeForOrganization: [] });

    // The reset link mailed before brings nobody back, and the password logs nobody in.
    const reset = await call('post', '/public/password-reset', { body: { token, password: 'Nieuw-wachtwoord-na-vertrek-9' } });
    expect(reset.status).toBe(400);
    for (const password of [leaver.password, 'Nieuw-wachtwoord-na-vertrek-9']) {
      expect((await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: leaver.username, password } })).status).toBe(401);
    }
    for (const auth of [session, ownKey.key]) expect((await call('get', '/v1/contacts', { auth })).status).toBe(401);
    expect((await call('get', `/v1/users/${leaver.id}`, { auth: orgA.key })).status).toBe(404);
    expect(await ctx.db.selectFrom('users').select('id').where('id', '=', leaver.id).execute()).toEqual([]);
    // The compromise revoked the key made for the organisation; its record stays.
    expect(await ctx.db.selectFrom('api_keys').select('id').where('id', '=', orgKey.id).execute()).toHaveLength(1);

    const audits = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.removed').where('entity_id', '=', leaver.id).execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_type: 'api_key', actor_id: orgA.keyId, organization_id: orgA.id });
    expect(JSON.stringify(audits[0])).not.toMatch(/vertrokken|@/);
  });

  it('names the live keys a leaver made for the organisation, and keeps them working', async () => {
    const leaver = await newUser(call, orgA.key, { username: 'ook.vertrokken', role: 'admin' });
    const session = await login(call, leaver);
    const orgKey = await newKey(call, session, { name: 'sms-koppeling', scopes: ['sms'] });
    const removed = await call('delete', `/v1/users/${leaver.id}`, { auth: orgA.key });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ sessionsEnded: 1, keysDeleted: [], keysMadeForOrganization: [{ id: orgKey.id, prefix: orgKey.prefix }] });
    expect((await call('get', `/v1/users/${leaver.id}`, { auth: session })).status).toBe(401);
    expect((await call('get', '/v1/sms/batches', { auth: orgKey.key })).status).toBe(200);
  });

  // Review (second pass): only the keys the leaver made directly were named; a key made by such a
  // key (in the leaver's hands as much as its maker) went unnamed, and the delete nulled the
  // created-by columns that led to it. "Compromised" reaches these; the removal names them too.
  it('also names the keys those keys made in turn, but not keys of others', async () => {
    const leaver = await newUser(call, orgA.key, { username: 'keten.vertrokken', role: 'admin' });
    const session = await login(call, leaver);
    const orgKey = await newKey(call, session, { name: 'beheer-koppeling', scopes: ['admin', 'sms'] });
    const child = await newKey(call, orgKey.key, { name: 'gemaakt door de koppeling', scopes: ['sms'] });
    const bystander = await newKey(call, orgA.key, { name: 'van een ander', scopes: ['sms'] });
    const removed = await call<{ keysMadeForOrganization: { id: string }[] }>('delete', `/v1/users/${leaver.id}`, { auth: orgA.key });
    expect(removed.status).toBe(200);
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect([...removed.body.keysMadeForOrganization].sort(byId)).toEqual([orgKey, child].map((k) => ({ id: k.id, prefix: k.prefix })).sort(byId));
    expect(removed.body.keysMadeForOrganization.map((k) => k.id)).not.toContain(bystander.id);
    const audit = await ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'user.removed').where('entity_id', '=', leaver.id).executeTakeFirstOrThrow();
    expect(String((audit.details as Record<string, unknown>).keysMadeForOrganization).split(',').sort()).toEqual([orgKey.id, child.id].sort());
  });

  it('is refused to a member, to another organisation, and to a caller without the scopes of the user', async () => {
    const member = await newUser(call, orgA.key, { username: 'gewoon.lid', role: 'member' });
    const memberSession = await login(call, member);
    const target = await newUser(call, orgA.key, { username: 'blijft.hier', role: 'admin' });
    const adminOnly = await newKey(call, orgA.key, { name: 'alleen admin', scopes: ['admin'] });
    expect((await call('delete', `/v1/users/${target.id}`, { auth: memberSession })).status).toBe(403);
    expect((await call('delete', `/v1/users/${target.id}`, { auth: orgB.key })).status).toBe(404);
    expect((await call('delete', `/v1/users/${target.id}`, { auth: adminOnly.key })).status).toBe(403);
    expect(await ctx.db.selectFrom('users').select('id').where('id', '=', target.id).execute()).toHaveLength(1);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'user.removed').where('entity_id', '=', target.id).execute()).toEqual([]);
  });
});
