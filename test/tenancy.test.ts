// Nothing across tenants: organisation B gets 404 for every route that names one of A's rows,
// and sees none of them in a list. The routes are one table; a guard test fails when a /v1 route
// with an {id} is missing from it, so every new route joins.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, login, newKey, newOrganization, newUser } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);

interface Rows {
  contact: string;
  user: string;
  key: string;
  batch: string;
  /** An opt-out is named by its phone number. */
  optOut: string;
  keyword: string;
  reply: string;
  upload: string;
  invoice: string;
  costCentre: string;
  /** A subscription is named by its number. */
  subscription: string;
  list: string;
  /** A list's subscriber is named by the list's id and its own, comma-separated. */
  subscriber: string;
  campaign: string;
  /** A privacy notice about A's data (art. 19). */
  notice: string;
}

/** A's opted-out number, as B would write it in a path, and as the list shows it. */
const OPTED_OUT = '0612345678';
const OPTED_OUT_MASKED = '+31 6 ****5678';

/**
 * Every /v1 route that takes the id of a row, with a body B may send and the kind of A's row it
 * names; `missing` is an id of that kind that names no row (a random UUID unless given).
 */
const ROUTES_BY_ID: readonly { method: string; path: string; row: keyof Rows; body?: unknown; missing?: string }[] = [
  { method: 'get', path: '/v1/contacts/{id}', row: 'contact' },
  { method: 'patch', path: '/v1/contacts/{id}', row: 'contact', body: { name: 'Overgenomen door B' } },
  { method: 'delete', path: '/v1/contacts/{id}', row: 'contact' },
  { method: 'get', path: '/v1/users/{id}', row: 'user' },
  { method: 'post', path: '/v1/users/{id}/compromised', row: 'user' },
  { method: 'delete', path: '/v1/users/{id}', row: 'user' },
  { method: 'delete', path: '/v1/api-keys/{id}', row: 'key' },
  { method: 'get', path: '/v1/sms/batches/{id}', row: 'batch' },
  { method: 'get', path: '/v1/sms/batches/{id}/messages', row: 'batch' },
  { method: 'post', path: '/v1/sms/batches/{id}/cancel', row: 'batch' },
  { method: 'delete', path: '/v1/sms/opt-outs/{phone}', row: 'optOut', missing: '0687654321' },
  { method: 'delete', path: '/v1/sms/keywords/{keyword}', row: 'keyword', missing: 'NIEMAND' },
  { method: 'get', path: '/v1/invoices/uploads/{id}', row: 'upload' },
  { method: 'delete', path: '/v1/invoices/uploads/{id}', row: 'upload' },
  { method: 'get', path: '/v1/invoices/{id}', row: 'invoice' },
  { method: 'get', path: '/v1/invoices/{id}/lines', row: 'invoice' },
  { method: 'get', path: '/v1/cost-centres/{id}', row: 'costCentre' },
  { method: 'put', path: '/v1/cost-centres/{id}', row: 'costCentre', body: { code: 'B-1', name: 'Overgenomen door B' } },
  { method: 'delete', path: '/v1/cost-centres/{id}', row: 'costCentre' },
  { method: 'put', path: '/v1/subscriptions/{number}', row: 'subscription', body: { holderName: 'Overgenomen door B' }, missing: '0687654321' },
  { method: 'get', path: '/v1/lists/{id}', row: 'list' },
  { method: 'patch', path: '/v1/lists/{id}', row: 'list', body: { name: 'Overgenomen door B' } },
  { method: 'delete', path: '/v1/lists/{id}', row: 'list' },
  { method: 'get', path: '/v1/lists/{id}/subscribers', row: 'list' },
  { method: 'post', path: '/v1/lists/{id}/subscribers', row: 'list', body: { basis: 'consent', subscribers: [{ email: 'bert@b.example.nl' }] } },
  { method: 'delete', path: '/v1/lists/{id}/subscribers/{subscriberId}', row: 'subscriber' },
  { method: 'get', path: '/v1/campaigns/{id}', row: 'campaign' },
  { method: 'post', path: '/v1/campaigns/{id}/cancel', row: 'campaign' },
  { method: 'post', path: '/v1/campaigns/{id}/resume', row: 'campaign' },
  { method: 'post', path: '/v1/campaigns/{id}/test', row: 'campaign', body: { email: 'bert@b.example.nl' } },
];

/** Every /v1 list; `shows` is how an item names its row (its id unless given). */
const LISTS: readonly { path: string; row: keyof Rows; shows?: { field: string; value: string } }[] = [
  { path: '/v1/contacts', row: 'contact' },
  { path: '/v1/users', row: 'user' },
  { path: '/v1/api-keys', row: 'key' },
  { path: '/v1/sms/batches', row: 'batch' },
  { path: '/v1/sms/opt-outs', row: 'optOut', shows: { field: 'masked', value: OPTED_OUT_MASKED } },
  { path: '/v1/sms/keywords', row: 'keyword', shows: { field: 'keyword', value: 'AKEYWORD' } },
  { path: '/v1/sms/replies', row: 'reply', shows: { field: 'text', value: 'Groetjes van Anna' } },
  { path: '/v1/invoices/uploads', row: 'upload' },
  { path: '/v1/invoices', row: 'invoice' },
  { path: '/v1/cost-centres', row: 'costCentre' },
  { path: '/v1/subscriptions', row: 'subscription', shows: { field: 'number', value: '+31612345678' } },
  { path: '/v1/lists', row: 'list' },
  { path: '/v1/campaigns', row: 'campaign' },
  { path: '/v1/privacy/notices', row: 'notice' },
];

/** /v1 GETs without an id that answer about the caller's own organisation, not a list of rows. */
const OWN_ORGANIZATION = ['/v1/callback-secret', '/v1/sms/settings', '/v1/reports/costs', '/v1/reports/anomalies'];

const a = await newOrganization(call, ctx, 'Organisatie A');
const b = await newOrganization(call, ctx, 'Organisatie B');
let rowsOfA: Rows;
/** B's credentials: its first key (every scope) and an admin's session. */
let credentialsOfB: { name: string; token: string }[];

async function snapshotOfA() {
  const [contacts, users, keys, sessions, batches, messages, optOuts, callbacks, keywords, uploads, invoices, costCentres, subscriptions, lists, subscribers, campaigns] = await Promise.all([
    ctx.db.selectFrom('contacts').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('users').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('api_keys').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('sessions').selectAll().orderBy('id').execute(),
    ctx.db.selectFrom('sms_batches').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('sms_messages').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('sms_opt_outs').selectAll().where('organization_id', '=', a.id).orderBy('phone_hash').execute(),
    ctx.db.selectFrom('sms_callbacks').selectAll().orderBy('id').execute(),
    ctx.db.selectFrom('sms_keywords').selectAll().where('organization_id', '=', a.id).orderBy('keyword').execute(),
    ctx.db.selectFrom('tem_uploads').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('einvoices').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('tem_cost_centres').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('tem_subscriptions').selectAll().where('organization_id', '=', a.id).orderBy('msisdn').execute(),
    ctx.db.selectFrom('newsletter_lists').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('newsletter_subscribers').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
    ctx.db.selectFrom('newsletter_campaigns').selectAll().where('organization_id', '=', a.id).orderBy('id').execute(),
  ]);
  return { contacts, users, keys, sessions, batches, messages, optOuts, callbacks, keywords, uploads, invoices, costCentres, subscriptions, lists, subscribers, campaigns };
}

beforeAll(async () => {
  const contact = await call<{ id: string }>('post', '/v1/contacts', { auth: a.key, body: { role: 'main', name: 'Anna de Boer', email: 'anna@a.example.nl', phone: '0612345678' } });
  expect(contact.status).toBe(201);
  const user = await newUser(call, a.key, { username: 'anna.a' });
  await login(call, user);
  const key = await newKey(call, a.key, { name: 'A integration', scopes: ['sms'] });
  expect((await call('post', '/v1/sms/opt-outs', { auth: a.key, body: { phone: OPTED_OUT } })).status).toBe(201);
  // Scheduled far ahead (and no worker here): a batch that B could still change by cancelling it.
  const batch = await call<{ id: string; status: string }>('post', '/v1/sms/batches', {
    auth: a.key,
    body: { sender: 'AnnaBV', body: 'Hoi {{naam}}', reference: 'Anna verjaardag', sendAt: new Date(Date.now() + 20 * 86_400_000).toISOString(), recipients: [{ phone: '0611111111', fields: { naam: 'Anna' } }, { phone: OPTED_OUT, fields: { naam: 'Anna' } }] },
  });
  expect(batch.status).toBe(202);
  expect(batch.body.status).toBe('scheduled');
  expect((await call('post', '/v1/sms/keywords', { auth: a.key, body: { keyword: 'akeyword' } })).status).toBe(201);
  // A reply to A's batch (no SMSC here: stored as incoming.ts would).
  const reply = await ctx.db
    .insertInto('sms_replies')
    .values({ organization_id: a.id, batch_id: batch.body.id, phone: '+31611111111', text: 'Groetjes van Anna' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // TEM: an upload (no worker here: it stays received), a cost centre, and a subscription as a parse would leave it.
  const upload = await fetch(`http://127.0.0.1:${web.port}/v1/invoices/uploads`, { method: 'POST', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'text/csv' }, body: 'Mobiel nummer;Datum;Verkeerssoort;Bedrag\n0612345678;01-11-2026;Spraak;1,00\n' });
  expect(upload.status).toBe(202);
  const costCentre = await call<{ id: string }>('post', '/v1/cost-centres', { auth: a.key, body: { code: 'A-1', name: 'Anna afdeling' } });
  await ctx.db.insertInto('tem_subscriptions').values({ organization_id: a.id, msisdn: '+31612345678', holder_name: 'Anna de Boer', cost_centre_id: costCentre.body.id, cost_centre_hint: null }).execute();
  const uploadId = ((await upload.json()) as { id: string }).id;
  // An e-invoice as a parse would leave it (no worker here).
  const invoice = randomUUID();
  await ctx.db
    .insertInto('einvoices')
    .values({ id: invoice, organization_id: a.id, upload_id: uploadId, syntax: 'ubl-invoice', number: 'A-2026-1', credit_note: false, currency: 'EUR', supplier_key: 'NL000000000B01', line_count: 1, retain_from: new Date() })
    .execute();
  await ctx.db.insertInto('einvoice_lines').values({ invoice_id: invoice, organization_id: a.id, seq: 0, line_id: '1', line_amount: '10.00' }).execute();
  // Newsletter: a list with one subscriber (named Anna, so no list of B's may show her).
  const list = await call<{ id: string }>('post', '/v1/lists', { auth: a.key, body: { name: 'Anna nieuwsbrief' } });
  expect((await call('post', `/v1/lists/${list.body.id}/subscribers`, { auth: a.key, body: { basis: 'consent', subscribers: [{ email: 'anna@a.example.nl', name: 'Anna de Boer' }] } })).status).toBe(200);
  const subscriber = await ctx.db.selectFrom('newsletter_subscribers').select('id').where('list_id', '=', list.body.id).executeTakeFirstOrThrow();
  // A campaign to it, scheduled far ahead (no worker here): B could still cancel it.
  const campaign = await call<{ id: string }>('post', '/v1/campaigns', { auth: a.key, body: { listId: list.body.id, subject: 'Nieuws voor Anna', html: '<p>Hallo {{name}}</p>', sendAt: new Date(Date.now() + 20 * 86_400_000).toISOString() } });
  expect(campaign.status).toBe(202);
  // A notice about A's data, as an erasure leaves one (no worker here: stored directly).
  const request = await ctx.db
    .insertInto('privacy_requests')
    .values({ type: 'erasure', filed_by: 'ops', filed_by_ops: 'ops', email: null, phone: null, name: null, message: null, due_at: new Date(Date.now() + 30 * 86_400_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const notice = await ctx.db.insertInto('privacy_notices').values({ organization_id: a.id, request_id: request.id, kind: 'erasure', counts: JSON.stringify({}) }).returning('id').executeTakeFirstOrThrow();
  rowsOfA = { notice: notice.id, campaign: campaign.body.id, list: list.body.id, subscriber: `${list.body.id},${subscriber.id}`, contact: contact.body.id, user: user.id, key: key.id, batch: batch.body.id, optOut: OPTED_OUT, keyword: 'AKEYWORD', reply: String(reply.id), upload: uploadId, invoice, costCentre: costCentre.body.id, subscription: OPTED_OUT };

  const admin = await newUser(call, b.key, { username: 'bert.b' });
  credentialsOfB = [
    { name: "B's key", token: b.key },
    { name: "B's admin session", token: await login(call, admin) },
  ];
});

describe("organisation B and A's rows", () => {
  it.each(ROUTES_BY_ID)("$method $path with A's id: 404, as for an id that does not exist, and A's rows unchanged", async ({ method, path, row, body, missing: missingId }) => {
    const before = await snapshotOfA();
    // Each {placeholder} in turn takes the next of the comma-separated ids (the last one again when there are fewer).
    const withId = (id: string) => {
      const ids = id.split(',');
      let at = 0;
      return path.replace(/\{\w+\}/g, () => ids[Math.min(at++, ids.length - 1)] ?? id);
    };
    for (const { name, token } of credentialsOfB) {
      const answer = await call(method, withId(rowsOfA[row]), { auth: token, ...(body !== undefined && { body }) });
      expect(answer.status, name).toBe(404);
      const missing = await call(method, withId(missingId ?? randomUUID()), { auth: token, ...(body !== undefined && { body }) });
      expect(missing.status, name).toBe(404);
      expect(answer.body, `${name}: the answer tells nothing about A's row`).toEqual(missing.body);
    }
    expect(await snapshotOfA()).toEqual(before);
    const audited = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', rowsOfA[row]).where('organization_id', '=', b.id).execute();
    expect(audited).toEqual([]);
  });

  it.each(LISTS)("$path shows B none of A's rows (and A its own)", async ({ path, row, shows }) => {
    const field = shows?.field ?? 'id';
    const value = shows?.value ?? rowsOfA[row];
    for (const { name, token } of credentialsOfB) {
      const answer = await call<{ items: Record<string, unknown>[] }>('get', path, { auth: token });
      expect(answer.status, name).toBe(200);
      expect(answer.body.items.map((i) => i[field])).not.toContain(value);
      expect(JSON.stringify(answer.body), name).not.toContain('Anna');
    }
    const own = await call<{ items: Record<string, unknown>[] }>('get', path, { auth: a.key });
    expect(own.body.items.map((i) => i[field])).toContain(value);
  });

  it("leaves A's rows usable by A", async () => {
    expect((await call('get', `/v1/contacts/${rowsOfA.contact}`, { auth: a.key })).body).toMatchObject({ name: 'Anna de Boer', phone: '+31612345678' });
    expect((await call('get', `/v1/users/${rowsOfA.user}`, { auth: a.key })).body).toMatchObject({ username: 'anna.a', mustChangePassword: false });
    const keys = await call<{ items: { id: string; revokedAt: string | null }[] }>('get', '/v1/api-keys', { auth: a.key });
    expect(keys.body.items.find((k) => k.id === rowsOfA.key)?.revokedAt).toBeNull();
    const batch = await call('get', `/v1/sms/batches/${rowsOfA.batch}`, { auth: a.key });
    expect(batch.body).toMatchObject({ status: 'scheduled', reference: 'Anna verjaardag', accepted: 2, counts: { queued: 1, suppressed: 1, cancelled: 0 } });
    const messages = await call<{ items: { phone: string; status: string }[] }>('get', `/v1/sms/batches/${rowsOfA.batch}/messages`, { auth: a.key });
    expect(messages.body.items.map((m) => [m.phone, m.status])).toEqual([['+31611111111', 'queued'], ['+31612345678', 'suppressed']]);
    // Still on A's list: A can take it off.
    expect((await call('delete', `/v1/sms/opt-outs/${OPTED_OUT}`, { auth: a.key })).status).toBe(204);
  });
});

describe('the route table', () => {
  it('names every /v1 route that takes an id (a new route must join the table above)', async () => {
    const spec = await call<{ paths: Record<string, Record<string, unknown>> }>('get', '/openapi.json');
    expect(spec.status).toBe(200);
    const withId = Object.entries(spec.body.paths)
      .filter(([path]) => path.startsWith('/v1/') && /\{[^}]+\}/.test(path))
      .flatMap(([path, operations]) => Object.keys(operations).filter((m) => ['get', 'put', 'post', 'patch', 'delete'].includes(m)).map((m) => `${m} ${path}`));
    expect(withId.length).toBeGreaterThanOrEqual(ROUTES_BY_ID.length);
    const inTable = new Set(ROUTES_BY_ID.map((r) => `${r.method} ${r.path}`));
    expect(withId.filter((route) => !inTable.has(route))).toEqual([]);
    // ...and the table holds no route that no longer exists.
    expect([...inTable].filter((route) => !withId.includes(route))).toEqual([]);
  });

  it("names every /v1 list of an organisation's rows", async () => {
    const spec = await call<{ paths: Record<string, Record<string, unknown>> }>('get', '/openapi.json');
    const lists = Object.entries(spec.body.paths)
      .filter(([path, operations]) => path.startsWith('/v1/') && !path.includes('{') && 'get' in operations)
      .map(([path]) => path);
    expect(lists.filter((path) => !LISTS.some((l) => l.path === path) && !OWN_ORGANIZATION.includes(path))).toEqual([]);
  });

  it('gives each organisation its own callback secret, never the other one', async () => {
    const secretOf = async (id: string) => (await ctx.db.selectFrom('organizations').select('callback_secret').where('id', '=', id).executeTakeFirstOrThrow()).callback_secret;
    const [ofA, ofB] = [await secretOf(a.id), await secretOf(b.id)];
    expect(ofA).not.toBe(ofB);
    expect((await call<{ callbackSecret: string }>('get', '/v1/callback-secret', { auth: b.key })).body).toEqual({ callbackSecret: ofB });
    const rotated = await call<{ callbackSecret: string }>('post', '/v1/callback-secret/rotate', { auth: b.key });
    expect(rotated.body.callbackSecret).not.toBe(ofB);
    expect(await secretOf(a.id)).toBe(ofA);
  });
});
