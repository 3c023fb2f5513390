// The public verification of privacy requests (issue 15) as someone hostile would try it: forged,
// stretched, expired, misdirected and reused links; guessed, borrowed, expired and reused SMS
// codes, with a cap on tries; the caps on codes per number and per number prefix a day (the form
// must not pump SMS); foreign and fixed-line numbers refused; one answer whether the person is
// known or not; unverified requests expire after 7 days. Only the web role runs: the mails and
// SMS are read where they are stored, before any worker would send them.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { signLink } from '../workers/privacy/signed-link.js';
import { dailyPrivacy } from '../workers/privacy/daily.js';
import { CODE_ATTEMPTS } from '../workers/privacy/verification.js';
import { createTestContext } from './helpers/context.js';
import { caller, type Answer } from './helpers/identity.js';

const ctx = await createTestContext({ TRUST_PROXY: '1', PRIVACY_SMS_PER_NUMBER_PER_DAY: '2', PRIVACY_SMS_PER_PREFIX_PER_DAY: '3' });
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const url = `http://127.0.0.1:${runtime.port}`;

let ip = 0;
/** Each filing from its own address, so the per-IP limit is met only where a test means to. */
const nextIp = () => `198.51.100.${++ip}`;

interface Received {
  status: string;
  id: string;
  detail: string;
}

async function file(body: Record<string, string>, from = nextIp()): Promise<Answer<Received>> {
  return call<Received>('post', '/public/privacy-requests', { body, headers: { 'x-forwarded-for': from } });
}

async function filed(body: Record<string, string>): Promise<string> {
  const answer = await file(body);
  expect(answer.status).toBe(202);
  return answer.body.id;
}

const statusOf = async (id: string) => (await ctx.db.selectFrom('privacy_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

/** The token of the verification link mailed for a request (read from the stored mail). */
async function mailedToken(to: string): Promise<string> {
  const mail = await ctx.db.selectFrom('mail_messages').select('text_body').where('to_address', '=', to).where('purpose', '=', 'privacy-verification').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const token = /\/public\/privacy-requests\/verify\?token=(\S+)/.exec(mail.text_body ?? '')?.[1];
  expect(token).toBeDefined();
  return token ?? '';
}

/** The codes texted to a number, oldest first. */
async function textedCodes(e164: string): Promise<string[]> {
  const rows = await ctx.db.selectFrom('sms_messages').select('text').where('phone', '=', e164).orderBy('id').execute();
  return rows.map((r) => /\b(\d{6})\b/.exec(r.text ?? '')?.[1] ?? '');
}

const verify = (token: string) => call<{ status: string }>('post', '/public/privacy-requests/verify', { body: { token } });
const enterCode = (id: string, code: string) => call<{ status: string }>('post', `/public/privacy-requests/${id}/code`, { body: { code } });

describe('one answer, known or not', () => {
  it('answers a known and an unknown address alike, and mails a link to each', async () => {
    const known = 'bekend@voorbeeld.nl';
    const org = await ctx.db.insertInto('organizations').values({ name: 'Leden', slug: 'leden-verificatie' }).returning('id').executeTakeFirstOrThrow();
    await ctx.db.insertInto('contacts').values({ organization_id: org.id, role: 'main', name: 'Bekende', email: known }).execute();
    const [a, b] = [await file({ type: 'access', email: known }), await file({ type: 'access', email: 'onbekend@voorbeeld.nl' })];
    expect([a.status, b.status]).toEqual([202, 202]);
    expect({ ...a.body, id: 'x' }).toEqual({ ...b.body, id: 'x' });
    expect(a.body.id).not.toBe(b.body.id);
    await mailedToken(known);
    await mailedToken('onbekend@voorbeeld.nl');
    // The form's answer is one page, whoever it is about.
    const form = async (email: string) => (await fetch(`${url}/public/privacy-requests`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': nextIp() }, body: new URLSearchParams({ type: 'erasure', email }) })).text();
    expect(await form(known)).toBe(await form('niemand@voorbeeld.nl'));
  });
});

describe('the signed link', () => {
  it('verifies once: a GET only shows the button, the POST verifies, a second POST is refused', async () => {
    const id = await filed({ type: 'erasure', email: 'eenmaal@voorbeeld.nl' });
    const token = await mailedToken('eenmaal@voorbeeld.nl');
    const page = await fetch(`${url}/public/privacy-requests/verify?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Ja, bevestig / Yes, confirm');
    expect(await statusOf(id)).toBe('unverified');
    expect((await verify(token)).status).toBe(200);
    expect(await statusOf(id)).toBe('verified');
    expect((await verify(token)).status).toBe(400);
  });

  it('refuses a forged, stretched, misdirected, foreign-keyed or expired token, and verifies nothing', async () => {
    const id = await filed({ type: 'erasure', email: 'doelwit@voorbeeld.nl' });
    const other = await filed({ type: 'erasure', email: 'aanvaller@voorbeeld.nl' });
    const mine = await mailedToken('aanvaller@voorbeeld.nl');
    const [, exp = '', mac = ''] = mine.split('.');
    const later = new Date(Date.now() + 86_400_000);
    const forged = [
      `${id}.${exp}.${mac}`, // the attacker's signature on the victim's request
      `${other}.${Number(exp) + 86_400}.${mac}`, // its own link, stretched a day
      `${other}.${exp}.${mac.slice(0, -2)}AA`, // the signature altered
      `${other}.${exp}`, // no signature
      `${other}.${exp}.${mac}.extra`,
      signLink('another-secret-key-of-32-characters!!', 'privacy-verify', id, later), // signed with another key
      signLink(ctx.config.secretKey, 'privacy-export', id, later), // an export link's signature, used to verify
      signLink(ctx.config.secretKey, 'privacy-verify', id, new Date(Date.now() - 1_000)), // ours, but expired
    ];
    for (const token of forged) expect((await verify(token)).status, token).toBe(400);
    // The form's POST says so on a page, and verifies nothing either.
    const page = await fetch(`${url}/public/privacy-requests/verify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: forged[0] ?? '' }) });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Ongeldige link / Invalid link');
    expect([await statusOf(id), await statusOf(other)]).toEqual(['unverified', 'unverified']);
  });
});

describe('the SMS code', () => {
  it('goes to a Dutch mobile number only: a foreign or fixed-line number alone is refused, and texts nobody', async () => {
    for (const phone of ['+4915123456789', '+32470123456', '+31201234567', '020 123 4567']) {
      const answer = await file({ type: 'access', phone });
      expect(answer.status, phone).toBe(400);
    }
    // With an address beside it, the address gets the link and the landline no code.
    expect((await file({ type: 'access', email: 'vast@voorbeeld.nl', phone: '+31201234567' })).status).toBe(202);
    await mailedToken('vast@voorbeeld.nl');
    const texted = await ctx.db.selectFrom('sms_messages').select('phone').where('phone', 'in', ['+4915123456789', '+32470123456', '+31201234567']).execute();
    expect(texted).toEqual([]);
  });

  it('is refused when wrong, for another request, expired or used; call details by a number alone wait for ops', async () => {
    const phone = '+31611000001';
    const id = await filed({ type: 'access', phone: '06-11000001' });
    const [code = ''] = await textedCodes(phone);
    expect(code).toMatch(/^\d{6}$/);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await enterCode(id, wrong)).status).toBe(400);
    // Another request's code does not open this one.
    const other = await filed({ type: 'access', phone: '+31611000002' });
    expect((await enterCode(other, code)).status).toBe(400);
    expect((await enterCode(id, code)).status).toBe(200);
    // Access verified by a number alone: ops approve first (numbers get reassigned).
    expect(await statusOf(id)).toBe('awaiting-approval');
    expect((await enterCode(id, code)).status).toBe(400);

    const late = await filed({ type: 'erasure', phone: '+31611000003' });
    const [lateCode = ''] = await textedCodes('+31611000003');
    expect(lateCode).toMatch(/^\d{6}$/);
    await ctx.db.updateTable('privacy_requests').set({ code_expires_at: sql`now() - interval '1 second'` }).where('id', '=', late).execute();
    expect((await enterCode(late, lateCode)).status).toBe(400);
    expect(await statusOf(late)).toBe('unverified');
  });

  it(`is tried ${CODE_ATTEMPTS} times at most: after that even the right code is refused`, async () => {
    const id = await filed({ type: 'erasure', phone: '+31612000004' });
    const [code = ''] = await textedCodes('+31612000004');
    expect(code).toMatch(/^\d{6}$/);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const tries = await Promise.all(Array.from({ length: CODE_ATTEMPTS }, () => enterCode(id, wrong)));
    expect(tries.map((t) => t.status)).toEqual(Array(CODE_ATTEMPTS).fill(400));
    expect((await enterCode(id, code)).status).toBe(400);
    expect(await statusOf(id)).toBe('unverified');
    // A form's code is answered with a page.
    const page = await fetch(`${url}/public/privacy-requests/${id}/code`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ code }) });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Ongeldige code / Invalid code');
  });

  it('is texted at most PRIVACY_SMS_PER_NUMBER_PER_DAY times to one number, with the same answer after', async () => {
    const phone = '+31622000001';
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await file({ type: i % 2 ? 'objection' : 'erasure', phone }));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.detail)).size).toBe(1);
    expect(await textedCodes(phone)).toHaveLength(2);
  });

  it('is texted at most PRIVACY_SMS_PER_PREFIX_PER_DAY times to numbers sharing a prefix (a form walking a number range)', async () => {
    const numbers = ['+31633000001', '+31633000002', '+31633000003', '+31633000004', '+31633999999'];
    for (const phone of numbers) expect((await file({ type: 'access', phone })).status).toBe(202);
    const texted = await ctx.db.selectFrom('sms_messages').select('phone').where('phone', 'like', '+31633%').execute();
    expect(texted).toHaveLength(3);
    // Another prefix is not held up by it.
    await filed({ type: 'access', phone: '+31644000001' });
    expect(await textedCodes('+31644000001')).toHaveLength(1);
  });
});

describe('rate limits', () => {
  it('caps filings per IP address and per address, answering 429', async () => {
    const from = nextIp();
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await file({ type: 'complaint', email: `klacht${i}@voorbeeld.nl`, message: 'Te veel' }, from)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(statuses[10]).toBe(429);
    const perAddress = [];
    for (let i = 0; i < 6; i++) perAddress.push((await file({ type: 'access', email: 'vaak@voorbeeld.nl' })).status);
    expect(perAddress).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe('an unverified request', () => {
  it('expires after 7 days: its identifiers are cleared, and neither its link nor its code verifies it after', async () => {
    const byMail = await filed({ type: 'erasure', email: 'traag@voorbeeld.nl', name: 'Traag' });
    const byCode = await filed({ type: 'erasure', phone: '+31655000001' });
    const fresh = await filed({ type: 'erasure', email: 'vers@voorbeeld.nl' });
    const token = await mailedToken('traag@voorbeeld.nl');
    const [code = ''] = await textedCodes('+31655000001');
    expect(code).toMatch(/^\d{6}$/);
    await ctx.db.updateTable('privacy_requests').set({ received_at: sql`now() - interval '7 days 1 minute'`, code_expires_at: sql`now() + interval '1 hour'` }).where('id', 'in', [byMail, byCode]).execute();
    // Before the daily job has run, the week is over already.
    expect((await enterCode(byCode, code)).status).toBe(400);
    // A link signed to outlive the week does not help either.
    expect((await verify(signLink(ctx.config.secretKey, 'privacy-verify', byMail, new Date(Date.now() + 86_400_000)))).status).toBe(400);
    const { expired } = await dailyPrivacy(ctx.db, ctx.config.privacy.opsEmail);
    expect(expired).toBe(2);
    const rows = await ctx.db.selectFrom('privacy_requests').select(['id', 'status', 'email', 'phone', 'name', 'code_hash']).where('id', 'in', [byMail, byCode, fresh]).execute();
    expect(rows.find((r) => r.id === byMail)).toEqual({ id: byMail, status: 'expired', email: null, phone: null, name: null, code_hash: null });
    expect(rows.find((r) => r.id === byCode)).toMatchObject({ status: 'expired', phone: null });
    expect(rows.find((r) => r.id === fresh)?.status).toBe('unverified');
    expect((await verify(token)).status).toBe(400);
  });
});
