// Newsletter lists and subscribers (issue 14): CRUD on lists, imports that check and normalise
// addresses and never re-subscribe an unsubscribed one, consent recorded per subscriber,
// keyset pages by status, removing one, bad input named by field, and the purge of
// unsubscribed subscribers 30 days on.
import { describe, expect, it } from 'vitest';
import { retentionPolicy } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { normaliseAddress } from '../workers/newsletter/address.js';
import { createTestContext } from './helpers/context.js';
import { caller, fieldsOf, newKey, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Nieuwsbrief BV');


interface ListBody {
  id: string;
  name: string;
  description: string | null;
  subscribers: number;
}
interface SubscriberBody {
  id: string;
  email: string;
  name: string | null;
  attributes: Record<string, unknown>;
  status: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ImportBody {
  added: number;
  updated: number;
  suppressed: number;
  invalid: number;
  rejected: { row: number; reason: string }[];
}

async function newList(name = 'Leden'): Promise<ListBody> {
  const answer = await call<ListBody>('post', '/v1/lists', { auth: org.key, body: { name } });
  expect(answer.status).toBe(201);
  return answer.body;
}

describe('lists', () => {
  it('are made, read, changed, paged and deleted', async () => {
    const list = await newList('Aanmelden nieuwsbrief');
    expect(list).toMatchObject({ name: 'Aanmelden nieuwsbrief', description: null, subscribers: 0 });
    const changed = await call<ListBody>('patch', `/v1/lists/${list.id}`, { auth: org.key, body: { description: 'Maandelijks' } });
    expect(changed.body).toMatchObject({ name: 'Aanmelden nieuwsbrief', description: 'Maandelijks' });
    expect((await call<ListBody>('get', `/v1/lists/${list.id}`, { auth: org.key })).body.description).toBe('Maandelijks');
    const second = await newList('Tweede');
    const first = await call<Page<ListBody>>('get', '/v1/lists?limit=1', { auth: org.key });
    expect(first.body.nextCursor).not.toBeNull();
    const rest = await call<Page<ListBody>>('get', `/v1/lists?limit=50&cursor=${first.body.nextCursor}`, { auth: org.key });
    expect([...first.body.items, ...rest.body.items].map((l) => l.id)).toEqual(expect.arrayContaining([list.id, second.id]));
    expect(rest.body.items.map((l) => l.id)).not.toContain(first.body.items[0]?.id);
    expect((await call('delete', `/v1/lists/${second.id}`, { auth: org.key })).status).toBe(204);
    expect((await call('get', `/v1/lists/${second.id}`, { auth: org.key })).status).toBe(404);
  });

  it('refuse bad input, naming the field', async () => {
    expect(fieldsOf(await call('post', '/v1/lists', { auth: org.key, body: { name: '' } }))).toContain('body.name');
    expect(fieldsOf(await call('post', '/v1/lists', { auth: org.key, body: { name: 'x', colour: 'red' } }))).not.toEqual([]);
    const list = await newList();
    expect(fieldsOf(await call('patch', `/v1/lists/${list.id}`, { auth: org.key, body: {} }))).not.toEqual([]);
    expect((await call('get', '/v1/lists/not-a-uuid', { auth: org.key })).status).toBe(400);
    expect(fieldsOf(await call('get', '/v1/lists?cursor=bogus', { auth: org.key }))).toContain('query.cursor');
  });

  it('need the mail scope', async () => {
    const smsOnly = await newKey(call, org.key, { name: 'sms only', scopes: ['sms'] });
    expect((await call('get', '/v1/lists', { auth: smsOnly.key })).status).toBe(403);
  });
});

describe('subscribers', () => {
  it('are imported with addresses checked and normalised, consent recorded, reasons by row and no address in the answer', async () => {
    const list = await newList();
    const answer = await call<ImportBody>('post', `/v1/lists/${list.id}/subscribers`, {
      auth: org.key,
      body: {
        basis: 'customer-relationship',
        subscribers: [
          { email: ' Anna@Voorbeeld.NL ', name: 'Anna', attributes: { plaats: 'Utrecht' } },
          { email: 'jan@bücher.example' },
          { email: 'geen-adres' },
          { email: 'piet@localhost' },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ added: 2, updated: 0, suppressed: 0, invalid: 2, rejected: [{ row: 3, reason: 'syntax' }, { row: 4, reason: 'domain' }] });
    const page = await call<Page<SubscriberBody>>('get', `/v1/lists/${list.id}/subscribers`, { auth: org.key });
    expect(page.body.items.map((s) => s.email).sort()).toEqual(['anna@voorbeeld.nl', 'jan@xn--bcher-kva.example']);
    expect(page.body.items.find((s) => s.email === 'anna@voorbeeld.nl')).toMatchObject({ name: 'Anna', attributes: { plaats: 'Utrecht' }, status: 'subscribed' });
    const consents = await ctx.db.selectFrom('newsletter_consents').selectAll().where('list_id', '=', list.id).execute();
    expect(consents).toHaveLength(2);
    expect(consents[0]).toMatchObject({ method: 'import', legal_basis: 'customer-relationship', privacy_statement: '31 July 2018', organization_id: org.id });
    expect((await call<ListBody>('get', `/v1/lists/${list.id}`, { auth: org.key })).body.subscribers).toBe(2);
  });

  it('are updated, not duplicated, on a second import; an unsubscribed one is never re-subscribed', async () => {
    const list = await newList();
    const body = { basis: 'consent', subscribers: [{ email: 'kees@voorbeeld.nl', name: 'Kees' }, { email: 'els@voorbeeld.nl' }] };
    expect((await call<ImportBody>('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body })).body).toMatchObject({ added: 2 });
    await ctx.db.updateTable('newsletter_subscribers').set({ status: 'unsubscribed', unsubscribed_at: new Date() }).where('list_id', '=', list.id).where('email', '=', 'els@voorbeeld.nl').execute();
    const again = await call<ImportBody>('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'KEES@voorbeeld.nl', name: 'Kees de Vries' }, { email: 'els@voorbeeld.nl' }] } });
    expect(again.body).toMatchObject({ added: 0, updated: 1, suppressed: 1 });
    const subscribed = await call<Page<SubscriberBody>>('get', `/v1/lists/${list.id}/subscribers?status=subscribed`, { auth: org.key });
    expect(subscribed.body.items.map((s) => [s.email, s.name])).toEqual([['kees@voorbeeld.nl', 'Kees de Vries']]);
    const unsubscribed = await call<Page<SubscriberBody>>('get', `/v1/lists/${list.id}/subscribers?status=unsubscribed`, { auth: org.key });
    expect(unsubscribed.body.items.map((s) => s.email)).toEqual(['els@voorbeeld.nl']);
  });

  it('come in keyset pages', async () => {
    const list = await newList();
    const subscribers = Array.from({ length: 7 }, (_, i) => ({ email: `lid${i}@voorbeeld.nl` }));
    await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers } });
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: Page<SubscriberBody> } = await call<Page<SubscriberBody>>('get', `/v1/lists/${list.id}/subscribers?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { auth: org.key });
      seen.push(...page.body.items.map((s) => s.email));
      cursor = page.body.nextCursor;
    }
    expect(seen.sort()).toEqual(subscribers.map((s) => s.email).sort());
  });

  it('are removed one at a time, with their consent', async () => {
    const list = await newList();
    await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'weg@voorbeeld.nl' }] } });
    const [subscriber] = (await call<Page<SubscriberBody>>('get', `/v1/lists/${list.id}/subscribers`, { auth: org.key })).body.items;
    expect((await call('delete', `/v1/lists/${list.id}/subscribers/${subscriber?.id}`, { auth: org.key })).status).toBe(204);
    expect((await call('delete', `/v1/lists/${list.id}/subscribers/${subscriber?.id}`, { auth: org.key })).status).toBe(404);
    expect(await ctx.db.selectFrom('newsletter_consents').select('id').where('list_id', '=', list.id).execute()).toEqual([]);
  });

  it('refuse bad imports, naming the field', async () => {
    const list = await newList();
    const post = (body: unknown) => call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body });
    expect(fieldsOf(await post({ subscribers: [{ email: 'a@b.nl' }] }))).toContain('body.basis');
    expect(fieldsOf(await post({ basis: 'consent', subscribers: [] }))).toContain('body.subscribers');
    expect(fieldsOf(await post({ basis: 'consent', subscribers: [{ email: 'a@b.nl', attributes: { 'bad key': 1 } }] })).join()).toMatch(/body\.subscribers\.0\.attributes/);
    expect(fieldsOf(await call('get', `/v1/lists/${list.id}/subscribers?status=pending`, { auth: org.key }))).toContain('query.status');
  });

  it('who unsubscribed are deleted by the purge 30 days later, with their consent', async () => {
    const list = await newList();
    await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'oud@voorbeeld.nl' }, { email: 'blijft@voorbeeld.nl' }] } });
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    await ctx.db.updateTable('newsletter_subscribers').set({ status: 'unsubscribed', unsubscribed_at: longAgo }).where('email', '=', 'oud@voorbeeld.nl').execute();
    await purgeAll(ctx.db, retentionPolicy(), { now: new Date(), batchSize: 100 });
    const left = await ctx.db.selectFrom('newsletter_subscribers').select('email').where('list_id', '=', list.id).execute();
    expect(left.map((s) => s.email)).toEqual(['blijft@voorbeeld.nl']);
    expect(await ctx.db.selectFrom('newsletter_consents').select('id').where('list_id', '=', list.id).execute()).toHaveLength(1);
  });
});

describe('addresses', () => {
  it.each([
    ['Anna@Example.NL', 'anna@example.nl'],
    ['x@bücher.de', 'x@xn--bcher-kva.de'],
  ])('%s is kept as %s', (raw, email) => expect(normaliseAddress(raw)).toEqual({ ok: true, email }));

  it.each(['', '@example.nl', 'a@', 'a..b@example.nl', 'a@example', 'a@-x.nl', 'a b@example.nl', 'a@1.2.3.4'])('%s is refused', (raw) => expect(normaliseAddress(raw).ok).toBe(false));
});
