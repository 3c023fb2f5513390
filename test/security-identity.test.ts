// Issue 9, items 2, 3 and 9, each as the attack that found it: an admin-only key that made an
// admin user to reach every scope; "compromised" that left the keys the leaked account made;
// and a username that told organisation B what organisation A has.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { STRONG_PASSWORD, caller, login, newKey, newOrganization, newUser, opsAuth, type Answer } from './helpers/identity.js';

const LOGIN_ATTEMPTS = 3;
const ctx = await createTestContext({ LOGIN_ATTEMPTS: String(LOGIN_ATTEMPTS) });
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const orgA = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
const orgB = await newOrganization(call, ctx, 'Woningbouw Oost');

const createUser = (auth: string, username: string, role: 'admin' | 'member') =>
  call<{ id: string; organization: string }>('post', '/v1/users', { auth, body: { username, email: `${username}@example.nl`, password: STRONG_PASSWORD, role } });

describe('creating a user is bounded by the scopes of the caller', () => {
  it('an admin-only key cannot make an admin user, so it cannot log in to every scope', async () => {
    const adminOnly = await newKey(call, orgA.key, { name: 'admin only', scopes: ['admin'] });
    expect((await call('get', '/v1/sms/batches', { auth: adminOnly.key })).status).toBe(403);

    const escalation = await createUser(adminOnly.key, 'escalated.admin', 'admin');
    expect(escalation.status).toBe(403);
    expect(escalation.body).toMatchObject({ detail: "An admin's sessions would have scopes the caller lacks: sms, invoices, mail, privacy." });
    expect(await ctx.db.selectFrom('users').select('id').where('username', '=', 'escalated.admin').execute()).toEqual([]);
    const loggedIn = await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: 'escalated.admin', password: STRONG_PASSWORD } });
    expect(loggedIn.status).toBe(401);

    const member = await createUser(adminOnly.key, 'escalated.member', 'member');
    expect(member.status).toBe(403);
    expect(member.body).toMatchObject({ detail: "A member's sessions would have scopes the caller lacks: sms, invoices, mail, privacy." });
  });

  it('names only the scopes missing, and lets a caller make what it holds', async () => {
    const partial = await newKey(call, orgA.key, { name: 'admin and sms', scopes: ['admin', 'sms'] });
    const refused = await createUser(partial.key, 'partial.member', 'member');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ detail: "A member's sessions would have scopes the caller lacks: invoices, mail, privacy." });

    const memberMaker = await newKey(call, orgA.key, { name: 'all but nothing', scopes: ['admin', 'sms', 'invoices', 'mail', 'privacy'] });
    expect((await createUser(memberMaker.key, 'made.member', 'member')).status).toBe(201);
    expect((await createUser(memberMaker.key, 'made.admin', 'admin')).status).toBe(201);

    // An admin user's session holds every scope, so it makes admins in turn.
    const admin = await newUser(call, orgA.key, { username: 'session.admin', role: 'admin' });
    expect((await createUser(await login(call, admin), 'admin.by.session', 'admin')).status).toBe(201);
  });
});

describe('a user marked compromised', () => {
  it("loses the organisation's keys made by the user's session, and the keys those keys made", async () => {
    const user = await newUser(call, orgA.key, { username: 'leaky.admin', role: 'admin' });
    const session = await login(call, user);
    const orgKey = await newKey(call, session, { name: 'made during the leak', scopes: ['admin', 'sms'] });
    const grandchild = await newKey(call, orgKey.key, { name: 'made by that key', scopes: ['sms'] });
    const own = await newKey(call, session, { name: 'personal', scopes: ['sms'], owner: 'user' });
    const bystander = await newKey(call, orgA.key, { name: 'made by the first key', scopes: ['sms'] });

    const listed = await call<{ items: { id: string; userId: string | null; createdByUserId: string | null; createdByKeyId: string | null }[] }>('get', '/v1/api-keys', { auth: orgA.key });
    expect(listed.body.items.find((k) => k.id === orgKey.id)).toMatchObject({ userId: null, createdByUserId: user.id, createdByKeyId: null });
    expect(listed.body.items.find((k) => k.id === grandchild.id)).toMatchObject({ userId: null, createdByUserId: null, createdByKeyId: orgKey.id });
    const row = await ctx.db.selectFrom('api_keys').select(['created_by_session_id', 'created_by_ops']).where('id', 'in', [orgKey.id, orgA.keyId]).orderBy('created_at').execute();
    expect(row).toEqual([
      { created_by_session_id: null, created_by_ops: ctx.config.ops.user },
      { created_by_session_id: expect.any(String) as unknown, created_by_ops: null },
    ]);

    for (const key of [orgKey, grandchild, own]) expect((await call('get', '/v1/sms/batches', { auth: key.key })).status).toBe(200);
    const marked = await call<{ sessionsRevoked: number; keysRevoked: number; revokedKeys: { id: string; prefix: string }[] }>('post', `/ops/users/${user.id}/compromised`, {
      auth: opsAuth(ctx),
    });
    expect(marked.status).toBe(200);
    const expected = [orgKey, grandchild, own].map((k) => ({ id: k.id, prefix: k.prefix })).sort((a, b) => a.prefix.localeCompare(b.prefix));
    expect(marked.body).toEqual({ sessionsRevoked: 1, keysRevoked: 3, revokedKeys: expected });
    for (const key of [orgKey, grandchild, own]) expect(JSON.stringify(marked.body)).not.toContain(key.key);

    for (const token of [session, orgKey.key, grandchild.key, own.key]) expect((await call('get', '/v1/sms/batches', { auth: token })).status).toBe(401);
    for (const token of [orgA.key, bystander.key]) expect((await call('get', '/v1/sms/batches', { auth: token })).status).toBe(200);

    const mail = await ctx.db.selectFrom('mail_messages').select('text_body').where('to_address', '=', user.email).executeTakeFirstOrThrow();
    // The user's language is Dutch by default (workers/messages/).
    expect(mail.text_body).toContain('- 1 inlogsessie(s) van uw account;');
    expect(mail.text_body).toContain('- 3 API-sleutel(s): die van uw account, die ermee zijn gemaakt en die deze sleutels maakten.');
    const audit = await ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'user.compromised').where('entity_id', '=', user.id).executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ sessionsRevoked: 1, keysRevoked: 3 });
  });
});

describe('usernames belong to their organisation', () => {
  it('lets organisation B take a username organisation A has, and each logs in with its own slug', async () => {
    const alice = await newUser(call, orgA.key, { username: 'alice.a', role: 'member', password: 'Alice-van-A-wachtwoord' });
    const taken = await createUser(orgB.key, 'Alice.A', 'member');
    expect(taken.status).toBe(201);
    expect(taken.body.organization).toBe(orgB.slug);
    expect(alice.organization).toBe(orgA.slug);
    expect((await createUser(orgA.key, 'ALICE.A', 'member')).status).toBe(409);

    const sessionA = await login(call, alice);
    expect((await call<{ id: string }>('get', `/v1/users/${alice.id}`, { auth: sessionA })).body.id).toBe(alice.id);
    const sessionB = await login(call, { organization: orgB.slug.toUpperCase(), username: 'alice.a', password: STRONG_PASSWORD });
    expect((await call<{ id: string }>('get', `/v1/users/${taken.body.id}`, { auth: sessionB })).body.id).toBe(taken.body.id);

    // A's password at B, and at an organisation that does not exist, answer as a wrong password does.
    const wrongPassword = await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: 'alice.a', password: 'not-the-password-1' } });
    const wrongOrganization = await call('post', '/v1/sessions', { body: { organization: orgB.slug, username: 'alice.a', password: alice.password } });
    const unknownOrganization = await call('post', '/v1/sessions', { body: { organization: 'bestaat-niet', username: 'alice.a', password: alice.password } });
    const alike = (a: Answer) => ({ status: a.status, body: a.body, challenge: a.headers.get('www-authenticate'), type: a.headers.get('content-type') });
    expect(wrongPassword.status).toBe(401);
    expect(alike(wrongOrganization)).toEqual(alike(wrongPassword));
    expect(alike(unknownOrganization)).toEqual(alike(wrongPassword));

    const missing = await call('post', '/v1/sessions', { body: { username: 'alice.a', password: alice.password } });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('body.organization');
  });

  it('throttles failed logins per organisation and username', async () => {
    const atA = await newUser(call, orgA.key, { username: 'bob.b', role: 'member' });
    const atB = await newUser(call, orgB.key, { username: 'bob.b', role: 'member' });
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) {
      expect((await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: 'bob.b', password: `wrong-password-${i}` } })).status).toBe(401);
    }
    expect((await call('post', '/v1/sessions', { body: { organization: orgA.slug, username: atA.username, password: atA.password } })).status).toBe(429);
    await login(call, atB);
  });

  it('gives each organisation a unique slug derived from its name', async () => {
    expect(orgA.slug).toBe('gemeente-voorbeeld');
    const twin = await newOrganization(call, ctx, 'Gemeente  Voorbeeld!');
    expect(twin.slug).toBe('gemeente-voorbeeld-2');
    expect((await newOrganization(call, ctx, 'Café Zoë & Zn.')).slug).toBe('cafe-zoe-zn');
    expect((await newOrganization(call, ctx, '???')).slug).toBe('organization');
    const listed = await call<{ items: { id: string; slug: string }[] }>('get', '/ops/organizations', { auth: opsAuth(ctx) });
    expect(listed.body.items.find((o) => o.id === twin.id)?.slug).toBe('gemeente-voorbeeld-2');
  });
});
