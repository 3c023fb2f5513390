// A user removed (DELETE /v1/users/{id}) while a request of theirs is in flight: the request
// resolved the caller before the removal committed and writes after it. It must end with a clean
// 401 (never a 500 from a foreign key on the leaver) and leave nothing in the leaver's name.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { untilLockWait } from './helpers/lock-wait.js';
import { scopesOfRole } from '../workers/identity/scopes.js';
import { caller, login, newOrganization, newUser } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Loodgietersbedrijf Vertrek');

const untilBlocked = () => untilLockWait(ctx.db, 'the request to wait on a lock');

async function leaverWithSession(username: string) {
  const user = await newUser(call, org.key, { username, role: 'admin' });
  return { user, token: await login(call, user) };
}

async function keyOf(token: string): Promise<string> {
  const answer = await call<{ key: string }>('post', '/v1/api-keys', { auth: token, body: { name: 'eigen sleutel', scopes: scopesOfRole('admin'), owner: 'user' } });
  expect(answer.status).toBe(201);
  return answer.body.key;
}

describe('a request of a user removed while it runs', () => {
  it('making a key: the removal commits while the insert waits on the user row; 401, no key, never a 500', async () => {
    const { user, token } = await leaverWithSession('vertrek.sleutel');
    const before = await ctx.db.selectFrom('api_keys').select('id').where('organization_id', '=', org.id).execute();
    // The removal's own first steps, held open: the user row is locked and deleted, not yet committed.
    const answer = await ctx.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`DELETE FROM users WHERE id = ${user.id}`.execute(conn);
      const pending = call('post', '/v1/api-keys', { auth: token, body: { name: 'na vertrek', scopes: ['sms'] } });
      await untilBlocked();
      await sql`COMMIT`.execute(conn);
      return pending;
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const after = await ctx.db.selectFrom('api_keys').select('id').where('organization_id', '=', org.id).execute();
    expect(after).toEqual(before);
  });

  it.each(['session', 'own key'] as const)('a write audited after the removal committed (by %s): 401, nothing stored, nothing audited in the name of the leaver', async (by) => {
    const { user, token: session } = await leaverWithSession(`vertrek.${by.replace(' ', '-')}`);
    const token = by === 'session' ? session : await keyOf(session);
    const answer = await ctx.db.connection().execute(async (conn) => {
      // Parks the request's insert (the request has resolved its caller: the user still exists).
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE contacts IN SHARE MODE`.execute(conn);
      const pending = call('post', '/v1/contacts', { auth: token, body: { role: 'billing', name: 'Na Vertrek', email: 'na.vertrek@example.nl' } });
      await untilBlocked();
      const removed = await call('delete', `/v1/users/${user.id}`, { auth: org.key });
      expect(removed.status).toBe(200);
      await sql`COMMIT`.execute(conn);
      return pending;
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await ctx.db.selectFrom('contacts').select('id').where('organization_id', '=', org.id).where('name', '=', 'Na Vertrek').execute()).toEqual([]);
    const removedAt = await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'user.removed').where('entity_id', '=', user.id).executeTakeFirstOrThrow();
    const later = await ctx.db.selectFrom('audit_log').select(['action', 'actor_type']).where('id', '>', removedAt.id).where('organization_id', '=', org.id).execute();
    expect(later).toEqual([]);
  });

  it('an SMS batch by group commit: 401, no batch, and the batches beside it in the group are stored', async () => {
    const { user, token } = await leaverWithSession('vertrek.sms');
    const { leaver, other } = await ctx.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE sms_batches IN SHARE MODE`.execute(conn);
      const send = (auth: string, reference: string) => call('post', '/v1/sms/batches', { auth, body: { sender: 'TGG', body: 'Tot morgen', reference, recipients: [{ phone: '+31612345678' }] } });
      const pending = { leaver: send(token, 'na-vertrek'), other: send(org.key, 'gewoon') };
      await untilBlocked();
      expect((await call('delete', `/v1/users/${user.id}`, { auth: org.key })).status).toBe(200);
      await sql`COMMIT`.execute(conn);
      return { leaver: await pending.leaver, other: await pending.other };
    });
    expect(leaver.status).toBe(401);
    expect(other.status).toBe(202);
    const stored = await ctx.db.selectFrom('sms_batches').select('reference').where('organization_id', '=', org.id).execute();
    expect(stored.map((b) => b.reference)).toEqual(['gewoon']);
  });

  it('a newsletter list (audited after its insert, before): 401 and no list', async () => {
    const { user, token } = await leaverWithSession('vertrek.lijst');
    const answer = await ctx.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE newsletter_lists IN SHARE MODE`.execute(conn);
      const pending = call('post', '/v1/lists', { auth: token, body: { name: 'Na vertrek' } });
      await untilBlocked();
      expect((await call('delete', `/v1/users/${user.id}`, { auth: org.key })).status).toBe(200);
      await sql`COMMIT`.execute(conn);
      return pending;
    });
    expect(answer.status).toBe(401);
    expect(await ctx.db.selectFrom('newsletter_lists').select('id').where('organization_id', '=', org.id).where('name', '=', 'Na vertrek').execute()).toEqual([]);
  });

  it.each(['session', 'own key'] as const)('an admin who removes themselves (by %s): 200, audited, and gone', async (by) => {
    const { user, token: session } = await leaverWithSession(`zelf.${by.replace(' ', '-')}`);
    const token = by === 'session' ? session : await keyOf(session);
    const removed = await call('delete', `/v1/users/${user.id}`, { auth: token });
    expect(removed.status).toBe(200);
    expect(await ctx.db.selectFrom('users').select('id').where('id', '=', user.id).execute()).toEqual([]);
    const entry = await ctx.db.selectFrom('audit_log').select(['actor_type']).where('action', '=', 'user.removed').where('entity_id', '=', user.id).execute();
    expect(entry).toEqual([{ actor_type: by === 'session' ? 'user' : 'api_key' }]);
    expect((await call('get', `/v1/users/${user.id}`, { auth: token })).status).toBe(401);
  });

  it('deleting a newsletter list (audited after the delete, before): 401 and the list is kept', async () => {
    const { user, token } = await leaverWithSession('vertrek.wis');
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Blijft' } })).body;
    const answer = await ctx.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE newsletter_lists IN SHARE MODE`.execute(conn);
      const pending = call('delete', `/v1/lists/${list.id}`, { auth: token });
      await untilBlocked();
      expect((await call('delete', `/v1/users/${user.id}`, { auth: org.key })).status).toBe(200);
      await sql`COMMIT`.execute(conn);
      return pending;
    });
    expect(answer.status).toBe(401);
    expect(await ctx.db.selectFrom('newsletter_lists').select('id').where('id', '=', list.id).execute()).toEqual([{ id: list.id }]);
  });
  it.each(['own key', 'key they made for the organisation'] as const)('revoking their %s as the removal runs: 401 or done first, never a 500', async (which) => {
    // The revoke writes the key, then its audit entry locks the user; the removal locks the user,
    // then its delete reaches the key (deleted with its owner, or its maker set to null). Each
    // held what the other wanted: Postgres broke the deadlock and the revoke answered 500.
    const { user, token } = await leaverWithSession(`vertrek.intrekken.${which.length}`);
    const made = await call<{ id: string }>('post', '/v1/api-keys', { auth: token, body: { name: `in te trekken ${which.length}`, scopes: ['sms'], owner: which === 'own key' ? 'user' : 'organization' } });
    expect(made.status).toBe(201);
    const { revoked, removed } = await ctx.db.connection().execute(async (conn) => {
      // Both park at their audit entry: the revoke holding the key, the removal the user.
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE audit_log IN SHARE MODE`.execute(conn);
      const revoking = call('delete', `/v1/api-keys/${made.body.id}`, { auth: token });
      await untilBlocked();
      const removing = call('delete', `/v1/users/${user.id}`, { auth: org.key });
      await untilLockWait(ctx.db, 'the removal to wait too', 2);
      await sql`COMMIT`.execute(conn);
      return { revoked: await revoking, removed: await removing };
    });
    expect(removed.status).toBe(200);
    expect([204, 401]).toContain(revoked.status);
  });
  it('two admins removing each other at once: one is removed, the other answers 401, never a 500', async () => {
    // Each removal locked the other's row, then (its audit entry) its own: a deadlock, one 500.
    const a = await leaverWithSession('wederzijds.a');
    const b = await leaverWithSession('wederzijds.b');
    const answers = await ctx.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE audit_log IN SHARE MODE`.execute(conn);
      const first = call('delete', `/v1/users/${b.user.id}`, { auth: a.token });
      await untilBlocked();
      const second = call('delete', `/v1/users/${a.user.id}`, { auth: b.token });
      await untilLockWait(ctx.db, 'the other removal to wait too', 2);
      await sql`COMMIT`.execute(conn);
      return [await first, await second];
    });
    // Which goes first is the lock's: the one removed answers 401 and removes nobody.
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const kept = await ctx.db.selectFrom('users').select('id').where('id', 'in', [a.user.id, b.user.id]).execute();
    expect(kept).toEqual([{ id: answers[0]?.status === 200 ? a.user.id : b.user.id }]);
  });
});
