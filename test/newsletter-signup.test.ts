// Public newsletter sign-up with double opt-in (issue 14), against a real SMTP server: the
// form, the confirmation mail through mail.send, a link scanner's GET that confirms nothing,
// the POST that does (consent recorded), the same answer whatever the address's state, the
// honeypot, forged and expired links, and the per-IP rate limit. No address in logs or jobs.
import { afterAll, describe, expect, it } from 'vitest';
import { retentionPolicy } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { SIGNUPS_PER_IP_PER_HOUR } from '../api/routes/newsletter-public.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { startSmtp } from './helpers/smtp.js';

const ctx = await createTestContext();
const smtp = await startSmtp();
const runtime = await ctx.start({ roles: ['web', 'mail'], config: ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <noreply@tgg.test>' }) });
// The runtime's pooled SMTP connections go first, then the server.
afterAll(async () => {
  await runtime.stop();
  await smtp.close();
});
const call = caller(runtime);
const url = baseUrl(runtime);
const org = await newOrganization(call, ctx, 'TGG');
const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Aanmelden nieuwsbrief' } })).body;
let posts = 0;


async function signUp(body: Record<string, string>, form = false) {
  posts += 1;
  const response = await fetch(`${url}/public/lists/${list.id}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** The confirmation link in the mail to `to` (quoted-printable undone). */
async function linkMailedTo(to: string): Promise<string> {
  const mail = await waitFor(() => Promise.resolve(smtp.received.find((m) => m.to.includes(to))), 'the confirmation mail');
  const text = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const link = /https?:\/\/\S+\/public\/newsletter\/confirm\?token=[\w.-]+/.exec(text)?.[0];
  if (!link) throw new Error('no link in the mail');
  return link.replace(ctx.config.publicUrl, url);
}

const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';
const subscribersOf = () => ctx.db.selectFrom('newsletter_subscribers').selectAll().where('list_id', '=', list.id).execute();
const confirm = (token: string) => fetch(`${url}/public/newsletter/confirm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });

describe('double opt-in', () => {
  it('serves a form with a honeypot', async () => {
    const page = await fetch(`${url}/public/lists/${list.id}/subscribe`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Aanmelden nieuwsbrief');
    expect(html).toMatch(/name="website"/);
    expect((await fetch(`${url}/public/lists/00000000-0000-4000-8000-000000000000/subscribe`)).status).toBe(404);
  });

  it('mails a link whose GET confirms nothing and whose POST subscribes, with the consent recorded', async () => {
    const answer = await signUp({ email: 'Anna@Voorbeeld.nl', name: 'Anna' }, true);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Bijna klaar');
    const link = await linkMailedTo('anna@voorbeeld.nl');

    const scanner = await fetch(link);
    expect(scanner.status).toBe(200);
    expect(await scanner.text()).toContain('Ja, meld mij aan');
    expect(await subscribersOf()).toEqual([]);

    const confirmed = await confirm(tokenOf(link));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Aangemeld');
    const [subscriber] = await subscribersOf();
    expect(subscriber).toMatchObject({ email: 'anna@voorbeeld.nl', name: 'Anna', status: 'subscribed' });
    const consents = await ctx.db.selectFrom('newsletter_consents').selectAll().where('subscriber_id', '=', subscriber?.id ?? '').execute();
    expect(consents).toEqual([expect.objectContaining({ method: 'sign-up', legal_basis: 'consent', privacy_statement: '31 July 2018', list_id: list.id })]);
    expect(consents[0]?.ip_truncated).toMatch(/^127\.0\.0\.0/);
    expect(await ctx.db.selectFrom('newsletter_signups').select('id').execute()).toEqual([]);

    // The link is used up.
    expect((await confirm(tokenOf(link))).status).toBe(400);
    // The job carried the mail's id only; no log line carries the address.
    const jobs = await runtime.deps.queues.get('mail').getJobs(['completed']);
    expect(JSON.stringify(jobs.map((j): unknown => j.data))).not.toMatch(/voorbeeld/);
    expect(JSON.stringify(ctx.logs)).not.toMatch(/anna@voorbeeld/i);
  });

  it('gives the same answer for a subscribed address, and mails nothing', async () => {
    const fresh = await signUp({ email: 'nieuw@voorbeeld.nl' });
    await linkMailedTo('nieuw@voorbeeld.nl');
    const known = await signUp({ email: 'anna@voorbeeld.nl' });
    expect(known).toEqual(fresh);
    expect(known.status).toBe(202);
    const mails = await ctx.db.selectFrom('mail_messages').select('id').where('to_address', '=', 'anna@voorbeeld.nl').execute();
    expect(mails).toHaveLength(1);
  });

  // Adversary5: the confirmation mail began "Beste <name>," with the name the form was given: anyone
  // could put 200 characters of their own (a phishing line and a link) at the top of a mail we
  // sign and send to any address. The name is kept for the subscriber, never put in that mail.
  it('puts nothing the form was given but the address in the confirmation mail', async () => {
    const bait = 'Uw account is geblokkeerd.\nLog in op https://phish.example/tgg';
    expect((await signUp({ email: 'doelwit@voorbeeld.nl', name: bait })).status).toBe(202);
    await linkMailedTo('doelwit@voorbeeld.nl');
    const mail = smtp.received.find((m) => m.to.includes('doelwit@voorbeeld.nl'));
    expect(mail?.raw).not.toMatch(/phish|geblokkeerd/);
    expect(await ctx.db.selectFrom('newsletter_signups').select('name').where('email', '=', 'doelwit@voorbeeld.nl').executeTakeFirst()).toEqual({ name: bait });
  });

  it('stores nothing when the honeypot is filled in, with the same answer', async () => {
    const answer = await signUp({ email: 'bot@voorbeeld.nl', website: 'http://spam.example' });
    expect(answer.status).toBe(202);
    expect(await ctx.db.selectFrom('newsletter_signups').select('id').where('email', '=', 'bot@voorbeeld.nl').execute()).toEqual([]);
  });

  it('refuses a forged or tampered link, and a bad address naming the field', async () => {
    expect((await confirm('00000000-0000-4000-8000-000000000000.AAAA')).status).toBe(400);
    const link = await linkMailedTo('nieuw@voorbeeld.nl');
    const [id = ''] = tokenOf(link).split('.');
    const forged = await call('post', '/public/newsletter/confirm', { body: { token: `${id}.${'A'.repeat(43)}` } });
    expect(forged.status).toBe(400);
    expect(forged.body.errors?.map((e) => e.field)).toEqual(['body.token']);
    const bad = await call('post', `/public/lists/${list.id}/subscribe`, { body: { email: 'geen adres' } });
    posts += 1;
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['body.email']);
  });

  it('lets an unconfirmed sign-up expire: its link stops working and the purge deletes it', async () => {
    await signUp({ email: 'laat@voorbeeld.nl' });
    const link = await linkMailedTo('laat@voorbeeld.nl');
    await ctx.db.updateTable('newsletter_signups').set({ created_at: new Date(Date.now() - 8 * 86_400_000) }).where('email', '=', 'laat@voorbeeld.nl').execute();
    expect((await confirm(tokenOf(link))).status).toBe(400);
    await ctx.db.updateTable('newsletter_signups').set({ created_at: new Date(Date.now() - 8 * 86_400_000) }).where('email', '=', 'laat@voorbeeld.nl').execute();
    await purgeAll(ctx.db, retentionPolicy(), { now: new Date(), batchSize: 100 });
    expect(await ctx.db.selectFrom('newsletter_signups').select('id').where('email', '=', 'laat@voorbeeld.nl').execute()).toEqual([]);
  });

  it(`takes at most ${SIGNUPS_PER_IP_PER_HOUR} sign-ups an hour from one address`, async () => {
    let last = 0;
    while (posts < SIGNUPS_PER_IP_PER_HOUR + 1) last = (await signUp({ email: `veel${posts}@voorbeeld.nl` })).status;
    expect(last).toBe(429);
  });
});
