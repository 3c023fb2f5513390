// The demo organisation (so the README's curl examples work at once): made on an empty database
// only, once, and its key printed once and working.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensureDemoOrganization } from '../workers/identity/demo.js';
import { createTestContext } from './helpers/context.js';
import { caller } from './helpers/identity.js';

const ctx = await createTestContext();

afterEach(() => vi.restoreAllMocks());

// The house organisation (TGG's own, made at every first start too) is not the demo's business.
const organizations = () => ctx.db.selectFrom('organizations').select(['id', 'name']).where('house', '=', false).execute();

describe('demo organisation', () => {
  it('is created on an empty database, and only once', async () => {
    expect(await organizations()).toEqual([]);
    const first = await ensureDemoOrganization(ctx.db);
    expect(first).toEqual({ organizationId: expect.any(String) as unknown, slug: 'demo-organisation', key: expect.stringMatching(/^tgg_/) as unknown });
    expect(await ensureDemoOrganization(ctx.db)).toBeUndefined();
    expect(await organizations()).toEqual([{ id: first!.organizationId, name: 'Demo organisation' }]);

    const web = await ctx.start({ roles: ['web'] });
    try {
      const keys = await caller(web)<{ items: { scopes: string[] }[] }>('get', '/v1/api-keys', { auth: first!.key });
      expect(keys.status).toBe(200);
      expect(keys.body.items).toHaveLength(1);
    } finally {
      await web.stop();
    }
  });

  it('is made by the first start of the web role against an empty database, which prints its key once', async () => {
    await ctx.db.deleteFrom('organizations').execute();
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const config = ctx.configWith({ DEMO_ORGANIZATION: 'true' });
    const first = await ctx.start({ roles: ['web'], migrate: true, config });
    await first.stop();
    const second = await ctx.start({ roles: ['web'], migrate: true, config });
    try {
      vi.restoreAllMocks();
      const banners = printed.filter((p) => p.includes('A demo organisation was created'));
      expect(banners).toHaveLength(1);
      const key = /tgg_[A-Za-z0-9_-]{43}/.exec(banners[0]!)?.[0];
      expect(key).toBeDefined();
      expect(banners[0]).toContain('"organization":"demo-organisation"');
      expect(await organizations()).toEqual([{ id: expect.any(String) as unknown, name: 'Demo organisation' }]);
      expect((await caller(second)('get', '/v1/api-keys', { auth: key! })).status).toBe(200);
      // The key went to the terminal, never to the log.
      expect(JSON.stringify(ctx.logs)).not.toContain(key!);
    } finally {
      await second.stop();
    }
  });

  it('is not made without DEMO_ORGANIZATION outside development (tests, production)', async () => {
    await ctx.db.deleteFrom('organizations').execute();
    expect(ctx.config.demoOrganization).toBe(false);
    expect(ctx.configWith({ NODE_ENV: 'development' }).demoOrganization).toBe(true);
    const web = await ctx.start({ roles: ['web'], migrate: true });
    await web.stop();
    expect(await organizations()).toEqual([]);
  });
});
