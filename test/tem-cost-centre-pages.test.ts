// GET /v1/cost-centres in keyset pages by code. It answered at most 10,000 cost centres in one
// list without saying more existed: an organisation with 10,001 got a truncated list, its last
// code missing, and no way to ask for it. Pages follow each other by the last code (unique per
// organisation); a cursor is read back only as a code, and scoped to the caller's organisation.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Veel Kostenplaatsen BV');
const other = await newOrganization(call, ctx, 'Weinig Kostenplaatsen BV');

interface Page {
  items: { id: string; code: string; name: string }[];
  nextCursor: string | null;
}

const COUNT = 10_001;
await sql`INSERT INTO tem_cost_centres (organization_id, code, name)
          SELECT ${org.id}::uuid, 'KP-' || lpad(n::text, 5, '0'), 'Afdeling ' || n FROM generate_series(1, ${COUNT}) n`.execute(ctx.db);

async function everyPage(key: string, limit: number): Promise<{ codes: string[]; pages: number }> {
  const codes: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const answer = await call<Page>('get', `/v1/cost-centres${query}`, { auth: key });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    codes.push(...answer.body.items.map((c) => c.code));
    cursor = answer.body.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 100);
  return { codes, pages };
}

describe('GET /v1/cost-centres', () => {
  it('answers every one of 10,001 cost centres, in pages by code, each once', async () => {
    const { codes, pages } = await everyPage(org.key, 500);
    expect(codes).toHaveLength(COUNT);
    expect(new Set(codes).size).toBe(COUNT);
    expect(codes.at(-1)).toBe('KP-10001');
    expect(codes).toEqual([...codes].sort());
    expect(pages).toBe(21);
  });

  it('says there is more when there is (the first page alone is not the list)', async () => {
    const first = await call<Page>('get', '/v1/cost-centres', { auth: org.key });
    expect(first.body.items.length).toBeLessThan(COUNT);
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it('pages through codes that are not ASCII, with spaces and quotes, in the order Postgres sorts them', async () => {
    for (const code of ['Ω-1', 'a b', '"KP"', 'zz-é']) expect((await call('post', '/v1/cost-centres', { auth: other.key, body: { code, name: 'x' } })).status).toBe(201);
    const { codes } = await everyPage(other.key, 1);
    const want = await ctx.db.selectFrom('tem_cost_centres').select('code').where('organization_id', '=', other.id).orderBy('code').execute();
    expect(codes).toEqual(want.map((r) => r.code));
  });

  it("never answers another organisation's cost centres for a cursor made of one of their codes", async () => {
    const cursor = Buffer.from('KP-00001').toString('base64url');
    const answer = await call<Page>('get', `/v1/cost-centres?cursor=${cursor}&limit=500`, { auth: other.key });
    expect(answer.status).toBe(200);
    expect(answer.body.items.every((c) => !c.code.startsWith('KP-0'))).toBe(true);
  });

  it('refuses a cursor it did not give out, naming it', async () => {
    for (const cursor of ['%FF%FE', Buffer.from('').toString('base64url') + '!', Buffer.from('x'.repeat(51)).toString('base64url'), Buffer.from([0xff, 0xfe]).toString('base64url'), Buffer.from('\0').toString('base64url')]) {
      const answer = await call<{ errors: { field: string }[] }>('get', `/v1/cost-centres?cursor=${cursor}`, { auth: org.key });
      expect(answer.status, cursor).toBe(400);
      expect(answer.body.errors.map((e) => e.field)).toEqual(['query.cursor']);
    }
  });
});
