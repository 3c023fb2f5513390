// The house organisation (issue 14): TGG's own, made at the first start with its list
// "Aanmelden nieuwsbrief" whose public sign-up works at once; made once however often or
// however concurrently the platform starts; ops give it a key; it does not stop the demo.
import { describe, expect, it } from 'vitest';
import { ensureDemoOrganization } from '../workers/identity/demo.js';
import { HOUSE_LIST, ensureHouseOrganization } from '../workers/newsletter/house.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, opsAuth } from './helpers/identity.js';

const ctx = await createTestContext();
const houses = () => ctx.db.selectFrom('organizations').select(['id', 'name', 'slug']).where('house', '=', true).execute();

describe('the house organisation', () => {
  it('is made by the first start, with its list, and never again', async () => {
    expect(await houses()).toEqual([]);
    const first = await ctx.start({ roles: ['web'], migrate: true });
    await first.stop();
    const again = await Promise.all([ensureHouseOrganization(ctx.db), ensureHouseOrganization(ctx.db)]);
    const [house] = await houses();
    expect(await houses()).toEqual([{ id: expect.any(String) as unknown, name: 'TGG', slug: 'tgg' }]);
    expect(again).toEqual([{ organizationId: house!.id, listId: null }, { organizationId: house!.id, listId: null }]);
    const lists = await ctx.db.selectFrom('newsletter_lists').select(['name', 'description']).where('organization_id', '=', house!.id).execute();
    expect(lists).toEqual([HOUSE_LIST]);
    // A list TGG deletes stays deleted.
    await ctx.db.deleteFrom('newsletter_lists').where('organization_id', '=', house!.id).execute();
    await (await ctx.start({ roles: ['web'], migrate: true })).stop();
    expect(await ctx.db.selectFrom('newsletter_lists').select('id').where('organization_id', '=', house!.id).execute()).toEqual([]);
    const audits = await ctx.db.selectFrom('audit_log').select(['actor_type', 'action']).where('entity_id', '=', house!.id).execute();
    expect(audits).toEqual([{ actor_type: 'system', action: 'organization.created' }]);
  });

  it('takes public sign-ups on its list, and ops give it a key to run it', async () => {
    await ctx.db.deleteFrom('organizations').execute();
    const { organizationId, listId } = await ensureHouseOrganization(ctx.db);
    const web = await ctx.start({ roles: ['web'] });
    try {
      const url = baseUrl(web);
      const form = await fetch(`${url}/public/lists/${listId}/subscribe`);
      expect(await form.text()).toContain('Aanmelden: Aanmelden nieuwsbrief');
      const signup = await fetch(`${url}/public/lists/${listId}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'lezer@voorbeeld.nl' }) });
      expect(signup.status).toBe(202);
      const pending = await ctx.db.selectFrom('newsletter_signups').select(['organization_id', 'privacy_statement']).executeTakeFirstOrThrow();
      expect(pending).toEqual({ organization_id: organizationId, privacy_statement: '31 July 2018' });

      const call = caller(web);
      const listed = await call<{ items: { id: string; house: boolean }[] }>('get', '/ops/organizations', { headers: { authorization: opsAuth(ctx) } });
      expect(listed.body.items).toEqual([expect.objectContaining({ id: organizationId, house: true })]);
      const key = await call<{ key: string }>('post', `/ops/organizations/${organizationId}/keys`, { headers: { authorization: opsAuth(ctx) } });
      expect(key.status).toBe(201);
      const lists = await call<{ items: { id: string }[] }>('get', '/v1/lists', { auth: key.body.key });
      expect(lists.body.items.map((l) => l.id)).toEqual([listId]);
      expect((await call('post', '/ops/organizations/00000000-0000-4000-8000-000000000000/keys', { headers: { authorization: opsAuth(ctx) } })).status).toBe(404);
      expect((await call('post', `/ops/organizations/${organizationId}/keys`, { auth: key.body.key })).status).toBe(401);
    } finally {
      await web.stop();
    }
  });

  it('does not count as the organisation that stops the demo from being made', async () => {
    await ctx.db.deleteFrom('organizations').execute();
    await ensureHouseOrganization(ctx.db);
    expect(await ensureDemoOrganization(ctx.db)).toBeDefined();
  });
});
