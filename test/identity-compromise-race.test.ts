// "Compromised" racing the leaked account (adversarial probe, 8 December): whoever holds a leaked
// session or key makes a new key while the owner marks the user compromised. The revoke reached
// the keys committed before it; a key whose creation was still in flight committed after it, made
// by a revoked session or key, and stayed live: the attacker kept a way in. Now the creation
// either waits for the revoke and is refused (401), or commits first and is revoked with the rest.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { scopesOfRole } from '../workers/identity/scopes.js';
import { createTestContext } from './helpers/context.js';
import { untilLockWait } from './helpers/lock-wait.js';
import { caller, login, newOrganization, newUser, opsAuth } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Lek en Zo');

const untilBlocked = () => untilLockWait(ctx.db, 'the key creation to wait');

const liveKeysOf = async (orgId: string) =>
  (await ctx.db.selectFrom('api_keys').select('name').where('organization_id', '=', orgId).where('revoked_at', 'is', null).orderBy('name').execute()).map((k) => k.name);

describe('a key made by a leaked account while it is marked compromised', () => {
  it.each(['session', 'key the user made for the organisation'] as const)('by a leaked %s: refused or revoked, never live after the revoke', async (by) => {
    const user = await newUser(call, org.key, { username: `lek.${by.length}`, role: 'admin' });
    const session = await login(call, user);
    let token = session;
    if (by !== 'session') {
      const made = await call<{ key: string }>('post', '/v1/api-keys', { auth: session, body: { name: `gemaakt ${by.length}`, scopes: scopesOfRole('admin') } });
      expect(made.status).toBe(201);
      token = made.body.key;
    }
    const { created, marked } = await ctx.db.connection().execute(async (conn) => {
      // The creation's insert waits on the organisation row (its foreign key check), as a slow one would.
      await sql`BEGIN`.execute(conn);
      await sql`SELECT id FROM organizations WHERE id = ${org.id} FOR UPDATE`.execute(conn);
      const pending = call<{ id: string }>('post', '/v1/api-keys', { auth: token, body: { name: `achterdeur ${by.length}`, scopes: ['sms'] } });
      await untilBlocked();
      const compromise = call('post', `/ops/users/${user.id}/compromised`, { auth: opsAuth(ctx) });
      // The compromise either completes beside the parked creation (before the fix) or waits for it.
      const early = await Promise.race([compromise, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1_000))]);
      await sql`COMMIT`.execute(conn);
      return { created: await pending, marked: early ?? (await compromise) };
    });
    expect(marked.status).toBe(200);
    expect([201, 401]).toContain(created.status);
    expect(await liveKeysOf(org.id)).not.toContain(`achterdeur ${by.length}`);
    if (created.status === 201) {
      const backdoor = (created.body as unknown as { key: string }).key;
      expect((await call('get', '/v1/api-keys', { auth: backdoor })).status).toBe(401);
    }
  });

  it('by a leaked session, while the revoke has not committed yet: 401 once it has, no key', async () => {
    const user = await newUser(call, org.key, { username: 'lek.later', role: 'admin' });
    const session = await login(call, user);
    const { created, marked } = await ctx.db.connection().execute(async (conn) => {
      // The compromise parks at its reset mail, everything revoked but not committed.
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE mail_messages IN SHARE MODE`.execute(conn);
      const compromise = call('post', `/ops/users/${user.id}/compromised`, { auth: opsAuth(ctx) });
      await untilBlocked();
      const pending = call<{ id: string }>('post', '/v1/api-keys', { auth: session, body: { name: 'achterdeur later', scopes: ['sms'] } });
      // Let the creation reach the database (its caller resolved: the revoke is not committed).
      await new Promise((r) => setTimeout(r, 500));
      await sql`COMMIT`.execute(conn);
      return { created: await pending, marked: await compromise };
    });
    expect(marked.status).toBe(200);
    expect(created.status).toBe(401);
    expect(created.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await ctx.db.selectFrom('api_keys').select('id').where('name', '=', 'achterdeur later').execute()).toEqual([]);
  });
});

describe('a key made by a leaked account as "compromised" has taken the user but not yet the session or key', () => {
  // "Compromised" takes the user row, then the sessions, then the keys. The creation took the
  // session (or key) first and then the user: each held what the other wanted, Postgres broke
  // the deadlock after a second and the creation answered 500 (or the compromise failed).
  it.each(['session', "user's own key"] as const)('by a leaked %s: 401, no key, the compromise done', async (by) => {
    const user = await newUser(call, org.key, { username: `lek.volg.${by.length}`, role: 'admin' });
    const session = await login(call, user);
    let token = session;
    if (by !== 'session') {
      const made = await call<{ key: string }>('post', '/v1/api-keys', { auth: session, body: { name: `eigen ${by.length}`, scopes: scopesOfRole('admin'), owner: 'user' } });
      expect(made.status).toBe(201);
      token = made.body.key;
    }
    const { created, marked } = await ctx.db.connection().execute(async (conn) => {
      // The compromise parks after its update of the user, at the sessions it revokes next.
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE sessions IN SHARE MODE`.execute(conn);
      const compromise = call('post', `/ops/users/${user.id}/compromised`, { auth: opsAuth(ctx) });
      await untilBlocked();
      const pending = call<{ id: string }>('post', '/v1/api-keys', { auth: token, body: { name: `achterdeur volg ${by.length}`, scopes: ['sms'] } });
      // The creation reaches the user row the compromise holds.
      await untilLockWait(ctx.db, 'the creation to wait too', 2);
      await sql`COMMIT`.execute(conn);
      return { created: await pending, marked: await compromise };
    });
    expect(marked.status).toBe(200);
    expect(created.status).toBe(401);
    expect(await ctx.db.selectFrom('api_keys').select('id').where('name', '=', `achterdeur volg ${by.length}`).execute()).toEqual([]);
  });
});
