// Contacts (P2, P7 in ARCHITECTURE.md): CRUD with roles, validated e-mail, phones in E.164, keyset
// pages; and the retention purge that removes an ended organisation's contacts and users after
// the grace period, and nothing else.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createOrganization } from '../workers/identity/organizations.js';
import { createSession } from '../workers/identity/sessions.js';
import { createUser } from '../workers/identity/users.js';
import { createContact } from '../workers/identity/contacts.js';
import { createApiKey } from '../workers/identity/api-keys.js';
import { DEFAULT_RETENTION_SETTINGS } from '../workers/retention/category.js';
import { retentionPolicy } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { createTestContext } from './helpers/context.js';
import { STRONG_PASSWORD, caller, fieldsOf, newOrganization } from './helpers/identity.js';

const GRACE_DAYS = 30;
const ctx = await createTestContext({ RELATIONSHIP_GRACE_DAYS: String(GRACE_DAYS) });
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);

interface ContactBody {
  id: string;
  role: string;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
}

describe('/v1/contacts', () => {
  it('creates, reads, updates and deletes a contact with role main, billing or support', async () => {
    const org = await newOrganization(call, ctx, 'Contacten BV');
    for (const role of ['main', 'billing', 'support'] as const) {
      const created = await call<ContactBody>('post', '/v1/contacts', { auth: org.key, body: { role, name: `Els ${role}`, email: `els.${role}@example.nl` } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ role, name: `Els ${role}`, email: `els.${role}@example.nl`, phone: null });
      const stored = await ctx.db.selectFrom('contacts').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ organization_id: org.id, role, email: `els.${role}@example.nl` });
    }
    const refusedRole = await call('post', '/v1/contacts', { auth: org.key, body: { role: 'ceo', name: 'Piet', email: 'piet@example.nl' } });
    expect(refusedRole.status).toBe(400);
    expect(fieldsOf(refusedRole)).toEqual(['body.role']);

    const created = await call<ContactBody>('post', '/v1/contacts', { auth: org.key, body: { role: 'main', name: 'Henk Visser', phone: '06 1234 5678' } });
    const id = created.body.id;
    expect((await call<ContactBody>('get', `/v1/contacts/${id}`, { auth: org.key })).body).toEqual(created.body);

    const updated = await call<ContactBody>('patch', `/v1/contacts/${id}`, { auth: org.key, body: { role: 'billing', email: 'henk@example.nl', phone: null } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, role: 'billing', name: 'Henk Visser', email: 'henk@example.nl', phone: null });
    expect(await ctx.db.selectFrom('contacts').select(['role', 'email', 'phone']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      role: 'billing',
      email: 'henk@example.nl',
      phone: null,
    });
    expect((await call('patch', `/v1/contacts/${id}`, { auth: org.key, body: {} })).status).toBe(400);

    const byRole = await call<{ items: ContactBody[] }>('get', '/v1/contacts?role=billing', { auth: org.key });
    expect(byRole.body.items.map((c) => c.name).sort()).toEqual(['Els billing', 'Henk Visser']);

    expect((await call('delete', `/v1/contacts/${id}`, { auth: org.key })).status).toBe(204);
    expect((await call('get', `/v1/contacts/${id}`, { auth: org.key })).status).toBe(404);
    expect((await call('delete', `/v1/contacts/${id}`, { auth: org.key })).status).toBe(404);
    expect(await ctx.db.selectFrom('contacts').select('id').where('id', '=', id).execute()).toEqual([]);
    const audit = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['contact.created', 'contact.updated', 'contact.deleted']);
  });

  it.each(['0612345678', '+31 (0)6 1234 5678', '0031612345678', '+31612345678', '06-12345678'])('stores phone %s as +31612345678', async (phone) => {
    const org = await newOrganization(call, ctx, `Telefoon ${phone}`);
    const created = await call<ContactBody>('post', '/v1/contacts', { auth: org.key, body: { role: 'support', name: 'Sanne', phone } });
    expect(created.status).toBe(201);
    expect(created.body.phone).toBe('+31612345678');
    expect((await ctx.db.selectFrom('contacts').select('phone').where('id', '=', created.body.id).executeTakeFirstOrThrow()).phone).toBe('+31612345678');
    const updated = await call<ContactBody>('patch', `/v1/contacts/${created.body.id}`, { auth: org.key, body: { phone } });
    expect(updated.body.phone).toBe('+31612345678');
  });

  it('refuses a bad e-mail address, a bad phone number, and a contact with neither', async () => {
    const org = await newOrganization(call, ctx, 'Validatie BV');
    const cases: { body: Record<string, unknown>; field: string }[] = [
      { body: { role: 'main', name: 'Fout', email: 'not-an-address' }, field: 'body.email' },
      { body: { role: 'main', name: 'Fout', email: 'jan@' }, field: 'body.email' },
      { body: { role: 'main', name: 'Fout', phone: '12345' }, field: 'body.phone' },
      { body: { role: 'main', name: 'Fout', phone: 'call me' }, field: 'body.phone' },
      { body: { role: 'main', name: 'Fout', phone: '+31 6 1234' }, field: 'body.phone' },
      { body: { role: 'main', name: 'Fout' }, field: 'body.email' },
      { body: { role: 'main', name: 'Fout', email: null, phone: null }, field: 'body.email' },
    ];
    for (const { body, field } of cases) {
      const answer = await call('post', '/v1/contacts', { auth: org.key, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(fieldsOf(answer), JSON.stringify(body)).toContain(field);
    }
    expect(await ctx.db.selectFrom('contacts').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);

    const good = await call<ContactBody>('post', '/v1/contacts', { auth: org.key, body: { role: 'main', name: 'Goed', email: 'goed@example.nl' } });
    for (const [body, field] of [[{ email: 'nope' }, 'body.email'], [{ phone: '999' }, 'body.phone']] as const) {
      const answer = await call('patch', `/v1/contacts/${good.body.id}`, { auth: org.key, body });
      expect(answer.status).toBe(400);
      expect(fieldsOf(answer)).toEqual([field]);
    }
    expect((await call<ContactBody>('get', `/v1/contacts/${good.body.id}`, { auth: org.key })).body).toEqual(good.body);
  });

  it('pages with a cursor: limit=2 over 5 contacts gives 3 pages, each contact once', async () => {
    const org = await newOrganization(call, ctx, 'Paginering BV');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push((await call<ContactBody>('post', '/v1/contacts', { auth: org.key, body: { role: 'main', name: `Persoon ${i}`, email: `p${i}@example.nl` } })).body.id);
    }
    // Two contacts with the same created_at: the id breaks the tie.
    await sql`UPDATE contacts SET created_at = (SELECT created_at FROM contacts WHERE id = ${ids[1]!}) WHERE id = ${ids[2]!}`.execute(ctx.db);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/contacts?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call<{ items: ContactBody[]; nextCursor: string | null }>('get', query, { auth: org.key });
      expect(page.status).toBe(200);
      pages.push(page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(5);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it.each(['garbage', 'bm90IGpzb24', Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')])('refuses the cursor %s with 400 naming query.cursor', async (cursor) => {
    const org = await newOrganization(call, ctx, `Cursor ${cursor.slice(0, 8)}`);
    const answer = await call('get', `/v1/contacts?cursor=${cursor}`, { auth: org.key });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['query.cursor']);
  });
});

describe('retention of contacts and users', () => {
  const DAY = 24 * 3600 * 1000;

  /** An organisation with a contact, a user with a session and a key of their own, and a key of its own. */
  async function member(name: string, endedDaysBefore: number | null, now: Date) {
    const { organization, apiKey } = await createOrganization(ctx.db, name, 'ops');
    const contact = await createContact(ctx.db, organization.id, { role: 'main', name: `${name} contact`, email: 'c@example.nl', phone: null }, { actorType: 'system', actorId: null, organizationId: organization.id });
    const user = await createUser(ctx.db, { organizationId: organization.id, username: `${name.replace(/\W/g, '').toLowerCase()}.user`, email: 'u@example.nl', password: STRONG_PASSWORD, role: 'admin' }, { actorType: 'system', actorId: null, organizationId: organization.id });
    await createSession(ctx.db, user.id, 60);
    const userKey = await createApiKey(ctx.db, { organizationId: organization.id, userId: user.id, name: 'own', scopes: ['sms'], createdBy: null });
    if (endedDaysBefore !== null) {
      await ctx.db.updateTable('organizations').set({ ended_at: new Date(now.getTime() - endedDaysBefore * DAY) }).where('id', '=', organization.id).execute();
    }
    return { organizationId: organization.id, contactId: contact.id, userId: user.id, orgKeyId: apiKey.id, userKeyId: userKey.id };
  }

  async function left(m: Awaited<ReturnType<typeof member>>) {
    const count = async (rows: Promise<unknown[]>) => (await rows).length;
    return {
      organization: await count(ctx.db.selectFrom('organizations').select('id').where('id', '=', m.organizationId).execute()),
      contacts: await count(ctx.db.selectFrom('contacts').select('id').where('organization_id', '=', m.organizationId).execute()),
      users: await count(ctx.db.selectFrom('users').select('id').where('organization_id', '=', m.organizationId).execute()),
      sessions: await count(ctx.db.selectFrom('sessions').select('id').where('user_id', '=', m.userId).execute()),
      userKeys: await count(ctx.db.selectFrom('api_keys').select('id').where('id', '=', m.userKeyId).execute()),
      orgKeys: await count(ctx.db.selectFrom('api_keys').select('id').where('id', '=', m.orgKeyId).execute()),
    };
  }

  it(`deletes the contacts and users of an organisation that ended more than ${GRACE_DAYS} days ago, and nothing else`, async () => {
    const now = new Date();
    const longGone = await member('Lang Geleden', GRACE_DAYS + 2, now);
    const recent = await member('Net Gestopt', GRACE_DAYS - 2, now);
    const live = await member('Nog Klant', null, now);

    const policy = retentionPolicy({ ...DEFAULT_RETENTION_SETTINGS, relationshipGraceDays: ctx.configWith({}).relationshipGraceDays });
    expect(ctx.config.relationshipGraceDays).toBe(GRACE_DAYS);
    const counts = await purgeAll(ctx.db, policy, { now, batchSize: 100 });
    expect(counts['identity.contacts']).toBe(1);
    expect(counts['identity.users']).toBe(1);

    expect(await left(longGone)).toEqual({ organization: 1, contacts: 0, users: 0, sessions: 0, userKeys: 0, orgKeys: 1 });
    const kept = { organization: 1, contacts: 1, users: 1, sessions: 1, userKeys: 1, orgKeys: 1 };
    expect(await left(recent)).toEqual(kept);
    expect(await left(live)).toEqual(kept);

    // With the default grace period (90 days) the same purge would have kept them.
    const again = await member('Ook Geleden', GRACE_DAYS + 2, now);
    const defaults = await purgeAll(ctx.db, retentionPolicy(), { now, batchSize: 100 });
    expect(defaults['identity.contacts']).toBe(0);
    expect(await left(again)).toEqual(kept);
  });

  it('publishes the configured grace period in the register of processing', async () => {
    const register = await call<{ categories: { category: string; retention: string }[] }>('get', '/public/register');
    expect(register.status).toBe(200);
    for (const category of ['identity.contacts', 'identity.users']) {
      expect(register.body.categories.find((c) => c.category === category)?.retention).toContain(`deleted ${GRACE_DAYS} days after it ends`);
    }
  });
});
