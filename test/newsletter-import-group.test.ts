// Small imports group-committed (issue 17, load): concurrent POST /v1/lists/{id}/subscribers
// share one statement, each answered with its own counts and audited on its own; the same
// address racing in from many requests is added once and updated by the rest; a request that
// fails in the database fails alone; another organisation's list is a 404 however the
// requests are grouped, and nothing of it is stored.
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { createImportGroup, type GroupedImport } from '../workers/newsletter/import-group.js';
import type { ImportResult } from '../workers/newsletter/import.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Groepscommit BV');
const other = await newOrganization(call, ctx, 'Buurman BV');

async function newList(key: string, name = 'Leden'): Promise<string> {
  const answer = await call<{ id: string }>('post', '/v1/lists', { auth: key, body: { name } });
  expect(answer.status).toBe(201);
  return answer.body.id;
}

const post = (key: string, listId: string, subscribers: unknown[]) => call<ImportResult>('post', `/v1/lists/${listId}/subscribers`, { auth: key, body: { basis: 'consent', subscribers } });

/** The import group on an executor of its own, counting the statements it sends (its statement is compiled once: a plugin's transformQuery would see it once, not per statement). */
function countedGroup() {
  const db = ctx.db.withoutPlugins();
  const sent = vi.spyOn(db.getExecutor(), 'executeQuery');
  const counter = {
    get statements() {
      return sent.mock.calls.length;
    },
  };
  const group = createImportGroup(db, { privacyStatement: ctx.config.privacyStatementVersion, suppressionKey: ctx.config.suppressionKey });
  return { group, counter, db };
}

const actor = { actorType: 'api_key' as const, actorId: org.keyId };
const request = (listId: string, email: string, extra: Partial<GroupedImport> = {}): GroupedImport => ({ organizationId: org.id, listId, basis: 'consent', rows: [{ email }], actor, ...extra });

describe('grouped imports over HTTP', () => {
  it('answer each of 40 concurrent posts with its own counts, and store, consent and audit each once', async () => {
    const list = await newList(org.key);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(org.key, list, [{ email: `Lid${i}@Voorbeeld.nl`, name: `Lid ${i}` }, { email: 'geen-adres' }])));
    for (const a of answers) expect([a.status, a.body]).toEqual([200, { added: 1, updated: 0, suppressed: 0, invalid: 1, rejected: [{ row: 2, reason: 'syntax' }] }]);
    const rows = await ctx.db.selectFrom('newsletter_subscribers').select(['email', 'name', 'organization_id']).where('list_id', '=', list).orderBy('email').execute();
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.email))).toEqual(new Set(Array.from({ length: 40 }, (_, i) => `lid${i}@voorbeeld.nl`)));
    expect(rows.every((r) => r.organization_id === org.id && r.name === `Lid ${/^lid(\d+)@/.exec(r.email)?.[1]}`)).toBe(true);
    const consents = await ctx.db.selectFrom('newsletter_consents').select(['method', 'legal_basis', 'organization_id']).where('list_id', '=', list).execute();
    expect(consents).toHaveLength(40);
    expect(consents.every((c) => c.method === 'import' && c.legal_basis === 'consent' && c.organization_id === org.id)).toBe(true);
    const audits = await ctx.db.selectFrom('audit_log').selectAll().where('entity_id', '=', list).where('action', '=', 'newsletter.subscribers.imported').execute();
    expect(audits).toHaveLength(40);
    for (const a of audits) expect(a).toMatchObject({ action: 'newsletter.subscribers.imported', actor_type: 'api_key', actor_id: org.keyId, organization_id: org.id, entity_type: 'newsletter_list', details: { added: 1, updated: 0 } });
    expect(JSON.stringify(audits)).not.toMatch(/voorbeeld/i);
  });

  it('add an address racing in from 20 posts once, with one consent, and update it with the rest', async () => {
    const list = await newList(org.key);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(org.key, list, [{ email: i % 2 ? 'RACE@voorbeeld.nl' : 'race@voorbeeld.nl', attributes: { [`a${i}`]: i } }])));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(answers.filter((a) => a.body.added === 1)).toHaveLength(1);
    expect(answers.filter((a) => a.body.updated === 1)).toHaveLength(19);
    const rows = await ctx.db.selectFrom('newsletter_subscribers').select(['id', 'attributes']).where('list_id', '=', list).execute();
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]?.attributes ?? {}).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`).sort());
    expect(await ctx.db.selectFrom('newsletter_consents').select('id').where('list_id', '=', list).execute()).toHaveLength(1);
  });

  it("answer 404 for another organisation's list, store nothing in it, and leave the neighbours' posts alone", async () => {
    const theirs = await newList(other.key, 'Van de buren');
    const mine = await newList(org.key);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 3 === 1 ? post(org.key, theirs, [{ email: `indringer${i}@voorbeeld.nl` }]) : post(org.key, mine, [{ email: `eigen${i}@voorbeeld.nl` }]))));
    answers.forEach((a, i) => expect(a.status).toBe(i % 3 === 1 ? 404 : 200));
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('id').where('list_id', '=', theirs).execute()).toHaveLength(0);
    expect(await ctx.db.selectFrom('newsletter_consents').select('id').where('list_id', '=', theirs).execute()).toHaveLength(0);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('entity_id', '=', theirs).where('action', '=', 'newsletter.subscribers.imported').execute()).toHaveLength(0);
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('id').where('list_id', '=', mine).execute()).toHaveLength(20);
    // A list id that exists nowhere is the same 404.
    expect((await post(org.key, '00000000-0000-4000-8000-000000000000', [{ email: 'x@voorbeeld.nl' }])).status).toBe(404);
  });

  it('fail a post the database refuses alone, among good ones', async () => {
    const list = await newList(org.key);
    // Postgres text holds no NUL: this one's statement fails, whatever it was grouped with.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(org.key, list, [{ email: `goed${i}@voorbeeld.nl`, name: i === 7 ? 'Nul\u0000Naam' : 'Goed' }])));
    answers.forEach((a, i) => expect(i === 7 ? a.status >= 400 : a.status === 200).toBe(true));
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('email').where('list_id', '=', list).execute()).toHaveLength(29);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('entity_id', '=', list).where('action', '=', 'newsletter.subscribers.imported').execute()).toHaveLength(29);
  });

  it('count a suppressed address and leave an unsubscribed one unsubscribed, grouped as alone', async () => {
    const list = await newList(org.key);
    expect((await post(org.key, list, [{ email: 'weg@voorbeeld.nl' }])).body.added).toBe(1);
    await ctx.db.updateTable('newsletter_subscribers').set({ status: 'unsubscribed', unsubscribed_at: new Date() }).where('list_id', '=', list).execute();
    const { suppress } = await import('../workers/newsletter/suppression.js');
    await ctx.db.transaction().execute((trx) => suppress(trx, ctx.config.suppressionKey, org.id, 'geblokt@voorbeeld.nl', 'complaint'));
    const answers = await Promise.all([post(org.key, list, [{ email: 'weg@voorbeeld.nl' }]), post(org.key, list, [{ email: 'Geblokt@voorbeeld.nl' }]), post(org.key, list, [{ email: 'welkom@voorbeeld.nl' }])]);
    expect(answers.map((a) => a.body)).toEqual([
      { added: 0, updated: 0, suppressed: 1, invalid: 0, rejected: [] },
      { added: 0, updated: 0, suppressed: 1, invalid: 0, rejected: [] },
      { added: 1, updated: 0, suppressed: 0, invalid: 0, rejected: [] },
    ]);
    const rows = await ctx.db.selectFrom('newsletter_subscribers').select(['email', 'status']).where('list_id', '=', list).orderBy('email').execute();
    expect(rows).toEqual([
      { email: 'weg@voorbeeld.nl', status: 'unsubscribed' },
      { email: 'welkom@voorbeeld.nl', status: 'subscribed' },
    ]);
  });
});

describe('createImportGroup', () => {
  it('compiles its statement once per process, and sends each group its own values (old code: compiled for every group)', async () => {
    const list = await newList(org.key);
    const { group, counter, db } = countedGroup();
    const compile = vi.spyOn(db.getExecutor(), 'compileQuery');
    for (let i = 0; i < 3; i++) expect(await group(request(list, `eenmaal${i}@voorbeeld.nl`))).toMatchObject({ added: 1, updated: 0 });
    expect(counter.statements).toBe(3);
    expect(compile.mock.calls.length).toBeLessThanOrEqual(1);
    const stored = await ctx.db.selectFrom('newsletter_subscribers').select('email').where('list_id', '=', list).orderBy('email').execute();
    expect(stored.map((r) => r.email)).toEqual(['eenmaal0@voorbeeld.nl', 'eenmaal1@voorbeeld.nl', 'eenmaal2@voorbeeld.nl']);
  });

  it('stores requests that come while a statement is in flight in one statement', async () => {
    const list = await newList(org.key);
    const { group, counter } = countedGroup();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => group(request(list, `samen${i}@voorbeeld.nl`))));
    expect(results.every((r) => r?.added === 1)).toBe(true);
    // Two go at once (concurrency 2), the other 28 wait for them and then go together.
    expect(counter.statements).toBe(3);
  });

  it('retries a failed statement request by request: only the bad one fails', async () => {
    const list = await newList(org.key);
    const { group, counter } = countedGroup();
    // A row the database refuses although it passed every check before the statement (a NUL
    // no longer gets that far: checkRows refuses it by row).
    await sql`CREATE FUNCTION refuse_kapot() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = 'kapot' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`.execute(ctx.db);
    await sql`CREATE TRIGGER refuse_kapot BEFORE INSERT OR UPDATE ON newsletter_subscribers FOR EACH ROW EXECUTE FUNCTION refuse_kapot()`.execute(ctx.db);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => group(request(list, `los${i}@voorbeeld.nl`, i === 5 ? { rows: [{ email: `los${i}@voorbeeld.nl`, name: 'kapot' }] } : {}))));
    await sql`DROP TRIGGER refuse_kapot ON newsletter_subscribers`.execute(ctx.db);
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    // 2 alone, the group of 10 that failed, then its 10 alone.
    expect(counter.statements).toBe(13);
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('id').where('list_id', '=', list).execute()).toHaveLength(11);
  });

  it("answers undefined for a request naming another organisation's list, its neighbours stored", async () => {
    const theirs = await newList(other.key, 'Buren');
    const mine = await newList(org.key);
    const { group, counter } = countedGroup();
    const results = await Promise.all([...Array.from({ length: 4 }, (_, i) => group(request(mine, `a${i}@voorbeeld.nl`))), group(request(theirs, 'b@voorbeeld.nl')), group(request(mine, 'c@voorbeeld.nl'))]);
    expect(results.map((r) => r?.added)).toEqual([1, 1, 1, 1, undefined, 1]);
    expect(counter.statements).toBe(3);
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('id').where('list_id', '=', theirs).execute()).toHaveLength(0);
  });

  it('puts the same address for the same list in separate statements, in order', async () => {
    const list = await newList(org.key);
    const { group, counter } = countedGroup();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => group(request(list, 'zelfde@voorbeeld.nl', { rows: [{ email: 'zelfde@voorbeeld.nl', name: `Naam ${i}` }] }))));
    expect(results.map((r) => [r?.added, r?.updated]).sort()).toEqual([[0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [1, 0]]);
    expect(counter.statements).toBe(6);
    const row = await ctx.db.selectFrom('newsletter_subscribers').select('name').where('list_id', '=', list).executeTakeFirstOrThrow();
    expect(row.name).toBe('Naam 5');
  });
});
