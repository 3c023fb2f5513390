// One message catalogue, Dutch by default and English on request (issue 14): pages by
// Accept-Language (or the `lang` a mail's link carries), mails by the person's `language`:
// the newsletter sign-up pages and confirmation mail, the password-reset page and mail (which
// used to disagree), and the mail that carries an SMS. Real SMTP, Postgres and Redis.
import { afterAll, describe, expect, it } from 'vitest';
import { acceptedLanguage } from '../api/language.js';
import { LANGUAGES, messages } from '../workers/messages/catalogue.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, newUser } from './helpers/identity.js';
import { startSmtp } from './helpers/smtp.js';

const ctx = await createTestContext();
const smtp = await startSmtp();
const runtime = await ctx.start({ roles: ['web', 'mail', 'sms'], config: ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <noreply@tgg.test>' }) });
afterAll(async () => {
  await runtime.stop();
  await smtp.close();
});
const call = caller(runtime);
const url = baseUrl(runtime);
const org = await newOrganization(call, ctx, 'Taalbureau');
const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Nieuws' } })).body;

const page = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });
const readable = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const mailTo = (to: string) => waitFor(() => Promise.resolve(smtp.received.find((m) => m.to.includes(to))), `the mail to ${to}`);

describe('Accept-Language', () => {
  it.each([
    [undefined, 'nl'],
    ['', 'nl'],
    ['en', 'en'],
    ['en-GB,en;q=0.9', 'en'],
    ['de-DE,de;q=0.9,en;q=0.5,nl;q=0.4', 'en'],
    ['en;q=0.5,nl;q=0.8', 'nl'],
    ['fr, de', 'nl'],
    ['en;q=0', 'nl'],
    ['*', 'nl'],
    ['x'.repeat(5000), 'nl'],
  ])('%s → %s', (header, expected) => {
    expect(acceptedLanguage(header)).toBe(expected);
  });

  it('has every text in both languages, each its own', () => {
    const [nl, en] = LANGUAGES.map((l) => JSON.stringify(messages(l).signupForm) + messages(l).optInMail({ list: 'L', link: 'x', days: 7 }).text);
    expect(nl).not.toEqual(en);
    expect(Object.keys(messages('en')).sort()).toEqual(Object.keys(messages('nl')).sort());
  });
});

describe('newsletter sign-up', () => {
  it('serves the form in Dutch by default and in English on request', async () => {
    const dutch = await page(`/public/lists/${list.id}/subscribe`);
    expect(dutch.headers.get('content-language')).toBe('nl');
    expect(dutch.headers.get('vary')).toMatch(/Accept-Language/i);
    const dutchHtml = await dutch.text();
    expect(dutchHtml).toContain('<html lang="nl">');
    expect(dutchHtml).toContain('Aanmelden: Nieuws');
    const english = await (await page(`/public/lists/${list.id}/subscribe`, { 'Accept-Language': 'en-US,en;q=0.9' })).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('Sign up: Nieuws');
    expect(english).toContain('name="language" value="en"');
  });

  it('mails the confirmation in the language of the sign-up, and its link opens pages in it', async () => {
    const signUp = (email: string, headers: Record<string, string>) =>
      fetch(`${url}/public/lists/${list.id}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, name: 'Sam' }) });
    expect((await signUp('sam@voorbeeld.nl', {})).status).toBe(202);
    expect((await signUp('sam@example.com', { 'Accept-Language': 'en' })).status).toBe(202);
    const dutch = readable((await mailTo('sam@voorbeeld.nl')).raw);
    const english = readable((await mailTo('sam@example.com')).raw);
    expect(dutch).toMatch(/^Subject: Bevestig je aanmelding voor Nieuws/m);
    expect(dutch).toContain('Hallo,');
    expect(english).toMatch(/^Subject: Confirm your sign-up for Nieuws/m);
    expect(english).toContain('Hello,');

    const link = /https?:\/\/\S+\/public\/newsletter\/confirm\?token=[\w.-]+&lang=en/.exec(english)?.[0];
    expect(link).toBeDefined();
    const confirmPage = await (await fetch(link!.replace(ctx.config.publicUrl, url))).text();
    expect(confirmPage).toContain('Yes, sign me up');
    const token = new URL(link!).searchParams.get('token') ?? '';
    const done = await fetch(`${url}/public/newsletter/confirm?lang=en`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
    expect(await done.text()).toContain('Your sign-up is confirmed');
    const subscriber = await ctx.db.selectFrom('newsletter_subscribers').select(['language']).where('email', '=', 'sam@example.com').executeTakeFirstOrThrow();
    expect(subscriber.language).toBe('en');
  });
});

describe('password reset', () => {
  it('serves the page in Dutch by default and in English on request', async () => {
    const dutch = await (await page('/public/password-reset?token=x')).text();
    expect(dutch).toContain('Nieuw wachtwoord');
    expect(dutch).toContain('Uw wachtwoord is gewijzigd');
    const english = await (await page('/public/password-reset?token=x', { 'Accept-Language': 'en' })).text();
    expect(english).toContain('New password');
    expect(english).toContain('Your password has been changed');
    expect(await (await page('/public/password-reset?lang=en&token=x')).text()).toContain('New password');
  });

  it.each([
    ['nl', /^Subject: Uw TGG-wachtwoord moet worden gewijzigd/m, 'Nieuw wachtwoord'],
    ['en', /^Subject: Your TGG password must be changed/m, 'New password'],
  ] as const)('mails a %s user in their language, with a link to the page in it', async (language, subject, pageTitle) => {
    const user = await newUser(call, org.key, { username: `lang.${language}`, email: `lang-${language}@example.nl` });
    await ctx.db.updateTable('users').set({ language }).where('id', '=', user.id).execute();
    expect((await call('post', `/v1/users/${user.id}/compromised`, { auth: org.key })).status).toBe(200);
    const mail = readable((await mailTo(`lang-${language}@example.nl`)).raw);
    expect(mail).toMatch(subject);
    const link = /https?:\/\/\S+\/public\/password-reset\?\S+/.exec(mail)?.[0] ?? '';
    expect(link).toContain(`lang=${language}`);
    expect(await (await fetch(link.replace(ctx.config.publicUrl, url))).text()).toContain(pageTitle);
  });

  it('takes a new user’s language', async () => {
    const answer = await call<{ language: string }>('post', '/v1/users', { auth: org.key, body: { username: 'engels', email: 'engels@example.nl', password: 'correct-Horse-battery-7', language: 'en' } });
    expect(answer.status).toBe(201);
    expect(answer.body.language).toBe('en');
    const bad = await call('post', '/v1/users', { auth: org.key, body: { username: 'duits', email: 'duits@example.nl', password: 'correct-Horse-battery-7', language: 'de' } });
    expect(bad.status).toBe(400);
  });
});

describe('SMS by mail', () => {
  it.each([
    ['nl', /^Subject: Bericht van Taalbureau/m],
    ['en', /^Subject: Message from Taalbureau/m],
  ] as const)('writes the subject in the batch language (%s)', async (language, subject) => {
    const email = `sms-${language}@example.nl`;
    const answer = await call('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Taalbureau', body: 'Hallo', language, recipients: [{ email }] } });
    expect(answer.status).toBe(202);
    expect((await mailTo(email)).raw).toMatch(subject);
  });
});
