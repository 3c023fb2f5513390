// The public pages and mails of privacy requests (issue 15): Dutch and English on one page,
// every text from the message catalogue (workers/messages/); after filing by number, the form
// for the SMS code, which a form post answers with a page.
import { describe, expect, it } from 'vitest';
import { PRIVACY_REQUEST_TYPES } from '../db/schema.js';
import { messages } from '../workers/messages/catalogue.js';
import { escapeHtml } from '../api/html-page.js';
import { createTestContext } from './helpers/context.js';

const ctx = await createTestContext({ TRUST_PROXY: '1' });
const runtime = await ctx.start({ roles: ['web'] });
const url = `http://127.0.0.1:${runtime.port}`;
const [nl, en] = [messages('nl').privacy, messages('en').privacy];
let ip = 0;

async function postForm(path: string, fields: Record<string, string>) {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `203.0.113.${++ip}` }, body: new URLSearchParams(fields) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Both languages' text is on the page (escaped as the page writes it). */
function expectBoth(page: string, pick: (m: typeof nl) => string) {
  for (const m of [nl, en]) expect(page).toContain(escapeHtml(pick(m)));
}

describe('privacy pages', () => {
  it('the form: every label, type and the intro in Dutch and English, under its own CSP', async () => {
    const response = await fetch(`${url}/public/privacy-requests`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/style-src 'self' 'sha256-/);
    const page = await response.text();
    expect(page).toContain('<html lang="nl">');
    for (const pick of [(m: typeof nl) => m.form.title, (m: typeof nl) => m.form.intro, (m: typeof nl) => m.form.email, (m: typeof nl) => m.form.phone, (m: typeof nl) => m.form.correctName, (m: typeof nl) => m.form.submit]) expectBoth(page, pick);
    for (const type of PRIVACY_REQUEST_TYPES) {
      expect(page).toContain(`<option value="${type}">`);
      expectBoth(page, (m) => m.form.types[type]);
    }
    expect(page).toContain(`<p lang="en">${escapeHtml(en.form.intro)}</p>`);
  });

  it('after filing by number: the code form; a right code by form gives the confirmed page, in both languages', async () => {
    const filed = await postForm('/public/privacy-requests', { type: 'erasure', phone: '06 19990001' });
    expect(filed.status).toBe(200);
    expectBoth(filed.text, (m) => m.received.text);
    expectBoth(filed.text, (m) => m.received.code);
    const id = /action="\/public\/privacy-requests\/([0-9a-f-]{36})\/code"/.exec(filed.text)?.[1] ?? '';
    expect(id).not.toBe('');
    const sms = await ctx.db.selectFrom('sms_messages').select('text').where('phone', '=', '+31619990001').executeTakeFirstOrThrow();
    expect(sms.text).toContain(nl.codeSms({ code: '', minutes: 30 }).split(':')[0]);
    expect(sms.text).toContain(en.codeSms({ code: '', minutes: 30 }).split(':')[0]);
    const code = /\b(\d{6})\b/.exec(sms.text ?? '')?.[1] ?? '';
    const done = await postForm(`/public/privacy-requests/${id}/code`, { code });
    expect(done.status).toBe(200);
    expectBoth(done.text, (m) => m.verified.text);
  });

  it('after filing by address: no code form, and the mail in both languages', async () => {
    const filed = await postForm('/public/privacy-requests', { type: 'access', email: 'tweetalig@voorbeeld.nl' });
    expect(filed.status).toBe(200);
    expect(filed.text).not.toContain('/code"');
    const mail = await ctx.db.selectFrom('mail_messages').select(['subject', 'text_body']).where('to_address', '=', 'tweetalig@voorbeeld.nl').executeTakeFirstOrThrow();
    const [nlMail, enMail] = [nl, en].map((m) => m.verifyMail({ link: '', days: 7, what: m.confirm.what.access }));
    expect(mail.subject).toBe(`${nlMail?.subject} / ${enMail?.subject}`);
    const link = /https?:\/\/\S+verify\?token=\S+/.exec(mail.text_body ?? '')?.[0] ?? '';
    expect(mail.text_body).toContain(nl.verifyMail({ link, days: 7, what: nl.confirm.what.access }).text);
    expect(mail.text_body).toContain(en.verifyMail({ link, days: 7, what: en.confirm.what.access }).text);
  });

  // Adversary5: anyone may file an erasure with someone else's address. The mail and the page
  // its link opens said only "confirm your privacy request": a person waiting for their own
  // (an access request, say) confirmed a stranger's erasure of all their data, not to be undone.
  it('the mail and the page its link opens say what the request asks: an erasure, that it cannot be undone', async () => {
    const address = 'niet-gevraagd@voorbeeld.nl';
    await postForm('/public/privacy-requests', { type: 'erasure', email: address });
    const mail = await ctx.db.selectFrom('mail_messages').select('text_body').where('to_address', '=', address).executeTakeFirstOrThrow();
    expectBoth(mail.text_body ?? '', (m) => m.confirm.what.erasure);
    expect(mail.text_body).not.toContain(en.confirm.what.access);
    const link = /https?:\/\/\S+verify\?token=\S+/.exec(mail.text_body ?? '')?.[0] ?? '';
    const opened = await fetch(`${url}${new URL(link).pathname}${new URL(link).search}`);
    expect(opened.status).toBe(200);
    const text = await opened.text();
    expectBoth(text, (m) => m.confirm.what.erasure);
    expectBoth(text, (m) => m.confirm.button);
    // A link that verifies nothing (forged, or used) opens no button.
    const forged = await fetch(`${url}/public/privacy-requests/verify?token=${encodeURIComponent(`${crypto.randomUUID()}.9999999999.AAAA`)}`);
    expect(forged.status).toBe(400);
    expectBoth(await forged.text(), (m) => m.invalidLink.text);
  });
});
