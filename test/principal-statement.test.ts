// The key and session lookups every bearer request runs (workers/identity/principal.ts) are
// compiled by the query builder once per process and sent with each call's values: building
// them per lookup cost 16-33 µs each (bench/JOURNAL.md, issue 17). What they answer
// is unchanged: a live key or session resolves, a revoked or expired one does not.
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { resolvePrincipals } from '../workers/identity/principal.js';
import { createTestContext } from './helpers/context.js';
import { caller, login, newKey, newOrganization, newUser } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Drukkerij Visser');

describe('the bearer lookups', () => {
  it('build their statement once, and still answer each call from its own values', async () => {
    const other = await newKey(call, org.key, { name: 'second', scopes: ['sms'] });
    const user = await newUser(call, org.key, { username: 'lookup.user' });
    const session = await login(call, user);
    const built = vi.spyOn(ctx.db, 'selectFrom');
    try {
      const first = await resolvePrincipals(ctx.db, [org.key, session, `tgg_${'A'.repeat(43)}`]);
      expect(first.map((p) => p?.kind)).toEqual(['api_key', 'session', undefined]);
      expect(first[0]?.organizationId).toBe(org.id);
      expect(first[1]?.userId).toBe(user.id);
      const second = await resolvePrincipals(ctx.db, [other.key, org.key]);
      expect(second.map((p) => p?.id)).toEqual([other.id, org.keyId]);
      expect(second[0]?.scopes).toEqual(['sms']);
      // Revoked and expired since: the next lookup reads them anew (never a cached answer).
      await ctx.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', other.id).execute();
      await ctx.db.updateTable('sessions').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('user_id', '=', user.id).execute();
      const third = await resolvePrincipals(ctx.db, [other.key, session, org.key]);
      expect(third.map((p) => p?.kind)).toEqual([undefined, undefined, 'api_key']);
      // Old code: the builder ran for every lookup of each kind (5 here); now at most once per kind in this process.
      expect(built.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      built.mockRestore();
    }
  });
});
