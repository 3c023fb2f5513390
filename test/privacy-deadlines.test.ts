// Deadlines of privacy requests (issue 15, GDPR art. 12(3)): the daily mail to ops lists the
// open requests due within 7 days and the overdue ones (ids, types and dates only), the ops list
// filters overdue ones, the metrics and /ops/status count them by type, and an extension is
// allowed once, by at most two months, with a reason the person is mailed.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { PrivacyRequestStatus, PrivacyRequestType } from '../db/schema.js';
import { retentionPolicy } from '../workers/retention/policy.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, fieldsOf, opsAuth, type Answer } from './helpers/identity.js';
import { startSmtp } from './helpers/smtp.js';

const ctx = await createTestContext();
const smtp = await startSmtp();
const runtime = await ctx.start({ roles: ['web', 'privacy', 'mail'], config: ctx.configWith({ SMTP_URL: smtp.url, PRIVACY_OPS_EMAIL: 'privacy-ops@tgg.test' }) });
afterAll(async () => {
  await runtime.stop();
  await smtp.close();
});
const call = caller(runtime);
const ops = opsAuth(ctx);

/** A request as the database holds it, due `dueInDays` from now (negative: overdue). No job is queued for it. */
async function request(type: PrivacyRequestType, status: PrivacyRequestStatus, dueInDays: number, ids: { email?: string; phone?: string; emailVerified?: boolean } = {}): Promise<string> {
  const row = await ctx.db
    .insertInto('privacy_requests')
    .values({
      type,
      status,
      filed_by: 'public',
      email: ids.email ?? null,
      phone: ids.phone ?? null,
      email_verified_at: ids.emailVerified ? sql`now()` : null,
      received_at: sql`now() - interval '20 days'`,
      due_at: sql`now() + ${`${dueInDays} days`}::interval`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const overdue = await request('erasure', 'awaiting-approval', -2, { email: 'laat@voorbeeld.nl' });
const dueSoon = await request('access', 'awaiting-approval', 3, { phone: '+31612345678' });
const later = await request('rectification', 'awaiting-approval', 20);
const doneLate = await request('erasure', 'done', -5);
const rejectedLate = await request('objection', 'rejected', -5);

function sample(body: string, name: string, kind: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`kind="${kind}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the daily mail to ops', () => {
  it('lists the open requests due within 7 days and the overdue ones, by id, type and date, and nothing about the person', async () => {
    await runtime.deps.queues.enqueue('privacy.daily', {});
    const mail = await waitFor(() => Promise.resolve(smtp.received.find((m) => m.to.includes('privacy-ops@tgg.test'))), 'the daily mail to ops', 20_000);
    const text = mail.raw.replace(/=\r?\n/g, '');
    expect(text).toMatch(/Subject: Privacyverzoeken: 1 te laat, 1 binnen 7 dagen/);
    expect(text).toMatch(new RegExp(`OVERDUE\\s+\\d{4}-\\d{2}-\\d{2}\\s+erasure\\s+awaiting-approval\\s+${overdue}`));
    expect(text).toMatch(new RegExp(`due\\s+\\d{4}-\\d{2}-\\d{2}\\s+access\\s+awaiting-approval\\s+${dueSoon}`));
    for (const absent of [later, doneLate, rejectedLate, 'laat@voorbeeld.nl', '612345678']) expect(text).not.toContain(absent);
  });
});

describe('overdue requests for ops', () => {
  it('GET /ops/privacy-requests?overdue=true lists the open ones past due only', async () => {
    const answer = await call<{ items: { id: string; overdue: boolean }[] }>('get', '/ops/privacy-requests?overdue=true', { auth: ops });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((i) => [i.id, i.overdue])).toEqual([[overdue, true]]);
    const all = await call<{ items: { id: string; overdue: boolean }[] }>('get', '/ops/privacy-requests', { auth: ops });
    expect(all.body.items.filter((i) => i.overdue).map((i) => i.id)).toEqual([overdue]);
  });

  it('counts them in /metrics (tgg_privacy_requests_open and _overdue by kind) and /ops/status', async () => {
    const body = (await call<string>('get', '/metrics', { auth: ops })).body;
    expect(sample(body, 'tgg_privacy_requests_open', 'erasure')).toBe(1);
    expect(sample(body, 'tgg_privacy_requests_open', 'access')).toBe(1);
    expect(sample(body, 'tgg_privacy_requests_open', 'rectification')).toBe(1);
    expect(sample(body, 'tgg_privacy_requests_open', 'objection')).toBe(0);
    expect(sample(body, 'tgg_privacy_requests_overdue', 'erasure')).toBe(1);
    expect(sample(body, 'tgg_privacy_requests_overdue', 'access')).toBe(0);
    expect(body).not.toContain(overdue);
    const status = await call<{ families: { privacy: unknown } }>('get', '/ops/status', { auth: ops });
    expect(status.body.families.privacy).toEqual({ openRequests: 3, overdueRequests: 1, byType: { erasure: { open: 1, overdue: 1 }, access: { open: 1, overdue: 0 }, rectification: { open: 1, overdue: 0 } } });
  });
});

describe('extending a request', () => {
  const extend = (id: string, body: Record<string, unknown>) => call<{ dueAt: string; told: string }>('post', `/ops/privacy-requests/${id}/extend`, { auth: ops, body });
  const dueOf = async (id: string) => (await ctx.db.selectFrom('privacy_requests').select('due_at').where('id', '=', id).executeTakeFirstOrThrow()).due_at;

  it('is refused beyond two months, without a reason, or for a request that is closed', async () => {
    const id = await request('erasure', 'awaiting-approval', 10, { email: 'grens@voorbeeld.nl', emailVerified: true });
    const before = await dueOf(id);
    for (const body of [{ months: 3, reason: 'Veel werk' }, { months: 0, reason: 'Veel werk' }, { months: 1.5, reason: 'Veel werk' }, { months: 1 }, { months: 1, reason: '  ' }]) {
      expect((await extend(id, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await dueOf(id)).toEqual(before);
    expect((await extend(doneLate, { months: 1, reason: 'Te laat' })).status).toBe(409);
    expect((await extend(rejectedLate, { months: 1, reason: 'Te laat' })).status).toBe(409);
    expect((await extend('00000000-0000-4000-8000-000000000000', { months: 1, reason: 'Bestaat niet' })).status).toBe(404);
  });

  it('moves the due date once by up to two months, mails the person the reason and the new date, and is refused a second time', async () => {
    const id = await request('access', 'awaiting-approval', 10, { email: 'geduld@voorbeeld.nl', emailVerified: true });
    const before = await dueOf(id);
    const reason = 'De gegevens liggen bij drie leveranciers';
    const answer = await extend(id, { months: 2, reason });
    expect(answer.status).toBe(200);
    expect(answer.body.told).toBe('mail');
    const due = new Date(answer.body.dueAt);
    expect((due.getUTCFullYear() - before.getUTCFullYear()) * 12 + due.getUTCMonth() - before.getUTCMonth()).toBe(2);
    const mail = await waitFor(() => Promise.resolve(smtp.received.find((m) => m.to.includes('geduld@voorbeeld.nl'))), 'the extension mailed to the person', 20_000);
    const text = Buffer.from(mail.raw.replace(/=\r?\n/g, '')).toString('utf8');
    expect(text).toContain(reason);
    expect(text).toContain(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(due));
    expect(text).toContain('Autoriteit Persoonsgegevens');

    expect((await extend(id, { months: 1, reason: 'Nog meer werk' })).status).toBe(409);
    expect(await dueOf(id)).toEqual(due);
    const view = await call<{ extension: { reason: string } | null; dueAt: string }>('get', `/ops/privacy-requests/${id}`, { auth: ops });
    expect(view.body.extension?.reason).toBe(reason);
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'details']).where('entity_id', '=', id).execute();
    expect(audit).toEqual([{ action: 'privacy.extended', details: { months: 2 } }]);
  });

  // Adversarial review (second pass): an overdue request could be extended, which moved it out of
  // the overdue list, the daily mail and the alert, and told the person after the month art. 12(3) allows.
  it('is refused once the request is overdue: it stays overdue and nobody is mailed', async () => {
    const id = await request('access', 'awaiting-approval', -1, { email: 'te-laat-verlengd@voorbeeld.nl', emailVerified: true });
    const before = await dueOf(id);
    const answer = await extend(id, { months: 2, reason: 'Alsnog meer tijd' });
    expect(answer.status).toBe(409);
    expect(fieldsOf(answer as Answer)).toEqual(['params.id']);
    expect(await dueOf(id)).toEqual(before);
    const listed = await call<{ items: { id: string }[] }>('get', '/ops/privacy-requests?overdue=true', { auth: ops });
    expect(listed.body.items.map((i) => i.id)).toContain(id);
    expect(await ctx.db.selectFrom('mail_messages').select('id').where('to_address', '=', 'te-laat-verlengd@voorbeeld.nl').execute()).toEqual([]);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('entity_id', '=', id).execute()).toEqual([]);
  });

  it('mails no address that was never verified: ops tell the person', async () => {
    const id = await request('erasure', 'unverified', 10, { email: 'onbevestigd@voorbeeld.nl' });
    const answer = await extend(id, { months: 1, reason: 'Drukte' });
    expect(answer.status).toBe(200);
    expect(answer.body.told).toBe('ops');
    expect(await ctx.db.selectFrom('mail_messages').select('id').where('to_address', '=', 'onbevestigd@voorbeeld.nl').execute()).toEqual([]);
  });
});

describe('the proof of compliance', () => {
  it('keeps a request PRIVACY_PROOF_YEARS after receipt (the purge reads the period from the configuration)', () => {
    const keep = (env: Record<string, string>) => retentionPolicy(ctx.configWith(env)).find((c) => c.category === 'privacy.requests')?.keep;
    expect(keep({})).toEqual({ years: 5 });
    expect(keep({ PRIVACY_PROOF_YEARS: '7' })).toEqual({ years: 7 });
    expect(() => ctx.configWith({ PRIVACY_PROOF_YEARS: '0' })).toThrow(/PRIVACY_PROOF_YEARS/);
  });
});
