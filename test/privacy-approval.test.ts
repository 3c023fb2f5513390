// Requests that wait for ops (issue 15): a correction proposed on the public form, verified by
// its link, approved by ops and applied where the value is held, the member whose subscriber it
// was told; call details asked for by a number alone, approved, and the export handed over by
// ops (no verified address to mail a link to). Read-only ops can do neither.
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { basic } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { seedPerson } from './helpers/privacy.js';

const ctx = await createTestContext({ TRUST_PROXY: '1', OPS_READONLY_USER: 'kijker', OPS_READONLY_PASSWORD: 'kijker-password-123' });
const runtime = await ctx.start({ roles: ['web', 'privacy'] });
const call = caller(runtime);
const ops = opsAuth(ctx);
const readonly = basic('kijker', 'kijker-password-123');
const org = await newOrganization(call, ctx, 'Leden Correctie');
const piet = { name: 'Piet Jansen', email: 'piet@voorbeeld.nl', phone: '+31613579246' };
await seedPerson(ctx.db, org.id, piet, ctx.config.suppressionKey, 'piet');

interface View {
  status: string;
  outcome: { categories: Record<string, Record<string, number>>; note?: string } | null;
}
const viewOf = async (id: string) => (await call<View>('get', `/ops/privacy-requests/${id}`, { auth: ops })).body;
const done = (id: string) => waitFor(async () => ((await viewOf(id)).status === 'done' ? viewOf(id) : undefined), `request ${id} done`, 20_000);

async function filePublic(body: Record<string, string>, ip: string): Promise<string> {
  const answer = await call<{ id: string }>('post', '/public/privacy-requests', { body, headers: { 'x-forwarded-for': ip } });
  expect(answer.status).toBe(202);
  return answer.body.id;
}

describe('a correction', () => {
  it('waits for ops after verification, then is applied where the name is held and told to the member', async () => {
    const id = await filePublic({ type: 'rectification', email: piet.email, correctName: 'Pieter Jansen' }, '192.0.2.1');
    const mail = await ctx.db.selectFrom('mail_messages').select('text_body').where('to_address', '=', piet.email).where('purpose', '=', 'privacy-verification').executeTakeFirstOrThrow();
    const token = /token=(\S+)/.exec(mail.text_body ?? '')?.[1] ?? '';
    expect((await call('post', '/public/privacy-requests/verify', { body: { token } })).status).toBe(200);
    expect((await viewOf(id)).status).toBe('awaiting-approval');
    expect((await call('post', `/ops/privacy-requests/${id}/approve`, { auth: readonly })).status).toBe(403);
    expect((await call('post', `/ops/privacy-requests/${id}/approve`, { auth: ops })).status).toBe(200);
    const view = await done(id);
    expect(view.outcome?.categories).toMatchObject({ 'identity.contacts': { rectified: 1 }, 'newsletter.subscribers': { rectified: 1 } });
    const subscriber = await ctx.db.selectFrom('newsletter_subscribers').select('name').where('email', '=', piet.email).executeTakeFirstOrThrow();
    expect(subscriber.name).toBe('Pieter Jansen');
    const contact = await ctx.db.selectFrom('contacts').select('name').where('organization_id', '=', org.id).executeTakeFirstOrThrow();
    expect(contact.name).toBe('Pieter Jansen');
    const notices = await call<{ items: { kind: string; counts: Record<string, number> }[] }>('get', '/v1/privacy/notices', { auth: org.key });
    expect(notices.body.items).toEqual([expect.objectContaining({ kind: 'rectification', counts: { 'newsletter.subscribers': 1 } })]);
    expect((await call('post', `/ops/privacy-requests/${id}/approve`, { auth: ops })).status).toBe(409);
  });

  it('refuses a proposed address or number that is not one, at filing', async () => {
    for (const body of [{ correctEmail: 'geen-adres' }, { correctPhone: '12' }]) {
      const answer = await call('post', '/public/privacy-requests', { body: { type: 'rectification', email: piet.email, ...body }, headers: { 'x-forwarded-for': '192.0.2.2' } });
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('call details asked for by a number alone', () => {
  it('wait for ops, and the export is handed over by ops, not mailed', async () => {
    const id = await filePublic({ type: 'access', phone: '06 13579246' }, '192.0.2.3');
    const sms = await ctx.db.selectFrom('sms_messages').select('text').where('phone', '=', piet.phone).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const code = /\b(\d{6})\b/.exec(sms.text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    expect((await call('post', `/public/privacy-requests/${id}/code`, { body: { code } })).status).toBe(200);
    expect((await viewOf(id)).status).toBe('awaiting-approval');
    expect((await call('get', `/ops/privacy-requests/${id}/export`, { auth: ops })).status).toBe(404);
    expect((await call('post', `/ops/privacy-requests/${id}/approve`, { auth: ops })).status).toBe(200);
    const view = await done(id);
    expect(view.outcome?.note).toMatch(/ops hand the export over/);
    expect(await ctx.db.selectFrom('mail_messages').select('id').where('purpose', '=', 'privacy-export').execute()).toEqual([]);
    expect((await call('get', `/ops/privacy-requests/${id}/export`, { auth: readonly })).status).toBe(403);
    const exported = await call<{ categories: { category: string; items: unknown[] }[] }>('get', `/ops/privacy-requests/${id}/export`, { auth: ops });
    expect(exported.status).toBe(200);
    expect(Object.fromEntries(exported.body.categories.map((c) => [c.category, c.items.length]))).toMatchObject({ 'tem.call-records': 2, 'sms.messages': 2 });
    // Only the verified number reached anyone: the address beside nothing, no mail category.
    expect(exported.body.categories.map((c) => c.category)).not.toContain('newsletter.subscribers');
    const audit = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['privacy.received', 'privacy.verified', 'privacy.approved', 'privacy.done', 'privacy.export-fetched']);
  });
});

describe('an erasure verified by a number alone', () => {
  // A number is reassigned: its new holder gets the code, and must not erase the previous
  // holder's call records and messages on their own. Ops approve it (or reject it) first.
  it('waits for ops with everything still in place, and erases only once approved', async () => {
    const kees = { name: 'Kees Visser', email: 'kees@voorbeeld.nl', phone: '+31624681357' };
    await seedPerson(ctx.db, org.id, kees, ctx.config.suppressionKey, 'kees');
    const held = () => ctx.db.selectFrom('sms_messages').select('id').where('phone', '=', kees.phone).execute();
    const calls = () => ctx.db.selectFrom('call_records').select('id').where('user_name', '=', kees.name).execute();
    expect((await held()).length).toBeGreaterThan(0);
    const id = await filePublic({ type: 'erasure', phone: '06 24681357' }, '192.0.2.4');
    const sms = await ctx.db.selectFrom('sms_messages').select('text').where('phone', '=', kees.phone).where('text', 'like', '%code%').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const code = /\b(\d{6})\b/.exec(sms.text ?? '')?.[1] ?? '';
    expect((await call('post', `/public/privacy-requests/${id}/code`, { body: { code } })).status).toBe(200);
    expect((await viewOf(id)).status).toBe('awaiting-approval');
    // The privacy worker is running: give it the time a job would take, then nothing is gone.
    await new Promise((r) => setTimeout(r, 500));
    expect((await viewOf(id)).status).toBe('awaiting-approval');
    expect((await calls()).length).toBeGreaterThan(0);
    expect((await call('post', `/ops/privacy-requests/${id}/approve`, { auth: readonly })).status).toBe(403);
    expect((await call('post', `/ops/privacy-requests/${id}/approve`, { auth: ops })).status).toBe(200);
    await done(id);
    expect(await calls()).toEqual([]);
  });

  it('by a verified address it goes on at once, as before', async () => {
    const id = await filePublic({ type: 'erasure', email: 'niemand@voorbeeld.nl' }, '192.0.2.5');
    const mail = await ctx.db.selectFrom('mail_messages').select('text_body').where('to_address', '=', 'niemand@voorbeeld.nl').where('purpose', '=', 'privacy-verification').executeTakeFirstOrThrow();
    const token = /token=(\S+)/.exec(mail.text_body ?? '')?.[1] ?? '';
    expect((await call('post', '/public/privacy-requests/verify', { body: { token } })).status).toBe(200);
    await done(id);
  });
});
