// Newsletter campaigns (issue 14) against a real SMTP server on loopback: a campaign of 5,000
// with personalisation (a <script> name arrives escaped), the list headers of RFC 2919/8058
// under a DKIM signature verified with mailauth, a VERP return path per delivery, one-click
// unsubscribe, suppressed addresses never mailed (also after a re-import), the test mail,
// an unknown placeholder refused at creation, the error pause and resume, and organisation
// B getting 404 on A's campaigns.
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth';
import { afterAll, describe, expect, it } from 'vitest';
import { nl } from '../workers/messages/nl.js';
import { parseVerp } from '../workers/newsletter/verp.js';
import { suppress } from '../workers/newsletter/suppression.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { campaignWhen, dkimKey, filledList, type CampaignBody } from './helpers/newsletter.js';
import { startSmtp } from './helpers/smtp.js';

const dkim = dkimKey('tgg.test', 'nieuws');
const ctx = await createTestContext();
const smtp = await startSmtp();
const config = ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>', BOUNCE_DOMAIN: 'bounces.tgg.test', MAIL_RETRY_BASE_MS: '100' });
const runtime = await ctx.start({ roles: ['web'], config });
// The 5,000 go unsigned (RSA signing per mail is slow on a loaded test machine); the DKIM test
// below swaps in a worker that signs.
const workers = [await ctx.start({ roles: ['mail'], config })];
afterAll(async () => {
  for (const w of workers) await w.stop();
  await runtime.stop();
  await smtp.close();
});
const call = caller(runtime);
const url = baseUrl(runtime);
const org = await newOrganization(call, ctx, 'Vereniging A');
const orgB = await newOrganization(call, ctx, 'Vereniging B');
const SCRIPT_NAME = '<script>alert("x")</script>';
// The subscribers' names and the campaign's text: no log line may hold them.
ctx.used(SCRIPT_NAME, 'Niet mailen', 'Beste Lid 1 uit', 'Het nieuws.');

const newCampaign = (listId: string, extra: Record<string, unknown> = {}) =>
  call<CampaignBody>('post', '/v1/campaigns', { auth: org.key, body: { listId, subject: 'Nieuws voor {{name}}', html: '<p>Beste {{name}} uit {{attributes.plaats}},</p><p>Het nieuws.</p>', fromName: 'Vereniging A', ...extra } });
const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));

describe('a campaign of 5,000', () => {
  it('mails every subscribed, unsuppressed subscriber once, personalised, escaped, with the list headers and a VERP return path', { timeout: 480_000 }, async () => {
    await ctx.db.transaction().execute((trx) => suppress(trx, config.suppressionKey, org.id, 'geblokkeerd@voorbeeld.nl', 'unsubscribe'));
    const subscribers = Array.from({ length: 5_000 }, (_, i) => ({ email: `lid${i}@voorbeeld.nl`, name: i === 0 ? SCRIPT_NAME : `Lid ${i}`, attributes: { plaats: i % 2 ? 'Utrecht' : 'Zwolle' } }));
    const listId = await filledList(call, org.key, [...subscribers, { email: 'geblokkeerd@voorbeeld.nl', name: 'Niet mailen' }]);
    const created = await newCampaign(listId);
    expect(created.status).toBe(202);
    const done = await campaignWhen(call, org.key, created.body.id, (c) => c.status === 'completed', 400_000);
    expect(done.recipients).toBe(5_000);
    expect(done.counts).toMatchObject({ sent: 5_000, queued: 0, sending: 0, failed: 0, unknown: 0 });
    const recipients = smtp.received.flatMap((m) => m.to);
    expect(recipients).toHaveLength(5_000);
    expect(new Set(recipients).size).toBe(5_000);
    expect(mailsTo('geblokkeerd@voorbeeld.nl')).toEqual([]);

    const [raw] = mailsTo('lid0@voorbeeld.nl');
    if (!raw) throw new Error('no mail to lid0');
    const mail = await simpleParser(raw.raw);
    expect(mail.subject).toBe(`Nieuws voor ${SCRIPT_NAME}`);
    expect(mail.html).toContain('Beste &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; uit Zwolle');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(`Beste ${SCRIPT_NAME} uit Zwolle`);
    expect(mail.from?.text).toBe('"Vereniging A" <nieuwsbrief@tgg.test>');
    const head = (raw.raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
    const unsubscribe = /^List-Unsubscribe: <(http[^>]+\/public\/newsletter\/unsubscribe\?token=[\w.-]+)>\r?$/m.exec(head);
    expect(unsubscribe).not.toBeNull();
    expect(head).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(head).toContain(`List-ID: <${listId}.bounces.tgg.test>`);
    expect(mail.html).toContain(unsubscribe?.[1]);
    expect(mail.text).toContain(unsubscribe?.[1]);

    // The VERP return path names this delivery.
    const delivery = await ctx.db.selectFrom('newsletter_deliveries as d').innerJoin('newsletter_subscribers as s', 's.id', 'd.subscriber_id').select('d.id').where('s.email', '=', 'lid0@voorbeeld.nl').executeTakeFirstOrThrow();
    expect(parseVerp({ secretKey: config.secretKey, bounceDomain: 'bounces.tgg.test' }, raw.from)).toBe(delivery.id);

    // One-click: the POST unsubscribes at once; the GET before it changed nothing.
    const link = (unsubscribe?.[1] ?? '').replace(config.publicUrl, url);
    const page = await fetch(link);
    expect(await page.text()).toContain(`<button type="submit">${nl.unsubscribe.button}</button>`);
    expect((await ctx.db.selectFrom('newsletter_subscribers').select('status').where('email', '=', 'lid0@voorbeeld.nl').executeTakeFirstOrThrow()).status).toBe('subscribed');
    const oneClick = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    expect((await ctx.db.selectFrom('newsletter_subscribers').select('status').where('email', '=', 'lid0@voorbeeld.nl').executeTakeFirstOrThrow()).status).toBe('unsubscribed');
    const after = await call<CampaignBody>('get', `/v1/campaigns/${created.body.id}`, { auth: org.key });
    expect(after.body.counts).toMatchObject({ sent: 4_999, unsubscribed: 1 });
    const forged = await fetch(`${link.slice(0, -4)}AAAA`, { method: 'POST' });
    expect(forged.status).toBe(400);

    // Neither the jobs nor the logs carry an address.
    const jobs = await runtime.deps.queues.get('mail').getJobs(['completed', 'active', 'waiting', 'prioritized']);
    expect(JSON.stringify(jobs.map((j): unknown => j.data))).not.toMatch(/voorbeeld/);
    expect(JSON.stringify(ctx.logs)).not.toMatch(/voorbeeld\.nl/);
  });
});

describe('suppression at send time', () => {
  it('never mails an address suppressed after a re-import or after the snapshot', { timeout: 60_000 }, async () => {
    const listId = await filledList(call, org.key, [{ email: 'Lid0@voorbeeld.nl' }, { email: 'nieuw1@voorbeeld.nl' }, { email: 'nieuw2@voorbeeld.nl' }]);
    const before = smtp.received.length;
    // Suppressed between the campaign's start and its send: held back by the claim.
    await ctx.db.transaction().execute((trx) => suppress(trx, config.suppressionKey, org.id, 'nieuw2@voorbeeld.nl', 'complaint'));
    const created = await newCampaign(listId);
    const done = await campaignWhen(call, org.key, created.body.id, (c) => c.status === 'completed');
    expect(done.counts.sent).toBe(1);
    expect(smtp.received.slice(before).flatMap((m) => m.to)).toEqual(['nieuw1@voorbeeld.nl']);
  });
});

describe('campaign input', () => {
  it('refuses an unknown placeholder at creation, naming it, and a list of another organisation', async () => {
    const listId = await filledList(call, org.key, [{ email: 'x@voorbeeld.nl' }]);
    const bad = await newCampaign(listId, { html: '<p>{{naam}}</p>' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ field: 'body.html' }] });
    expect(JSON.stringify(bad.body)).toContain('naam');
    const foreign = await call('post', '/v1/campaigns', { auth: orgB.key, body: { listId, subject: 'x', html: '<p>x</p>' } });
    expect(foreign.status).toBe(404);
    const noSubject = await call('post', '/v1/campaigns', { auth: org.key, body: { listId, html: '<p>x</p>' } });
    expect(noSubject.body.errors?.map((e) => e.field)).toEqual(['body.subject']);
  });

  it('sends a test mail marked [TEST], without list headers', async () => {
    const listId = await filledList(call, org.key, [{ email: 'proef@voorbeeld.nl', name: 'Proef', attributes: { plaats: 'Delft' } }]);
    const created = await newCampaign(listId, { sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    const test = await call('post', `/v1/campaigns/${created.body.id}/test`, { auth: org.key, body: { email: 'proef@voorbeeld.nl' } });
    expect(test.status).toBe(202);
    const raw = await waitFor(() => Promise.resolve(mailsTo('proef@voorbeeld.nl')[0]), 'the test mail');
    const mail = await simpleParser(raw.raw);
    expect(mail.subject).toBe('[TEST] Nieuws voor Proef');
    expect(mail.html).toContain('Beste Proef uit Delft');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect((await call('get', `/v1/campaigns/${created.body.id}`, { auth: org.key })).body).toMatchObject({ status: 'scheduled' });
    expect((await call('post', `/v1/campaigns/${created.body.id}/cancel`, { auth: org.key })).body).toMatchObject({ status: 'cancelled' });
  });
});

describe('the error pause', () => {
  it('stops a campaign the relay refuses wholesale, and resume sends the rest', { timeout: 60_000 }, async () => {
    const listId = await filledList(call, org.key, Array.from({ length: 400 }, (_, i) => ({ email: `pauze${i}@voorbeeld.nl` })));
    smtp.rcptPolicy = () => ({ code: 554, message: 'Relay access denied' });
    const created = await newCampaign(listId);
    const paused = await campaignWhen(call, org.key, created.body.id, (c) => c.status === 'paused');
    expect(paused.pausedReason).toBe('failure-burst');
    expect(paused.counts.queued).toBeGreaterThan(0);
    const failedFirst = paused.counts.failed ?? 0;
    expect(failedFirst).toBeLessThan(400);
    // Settled: nothing more goes while paused.
    await new Promise((r) => setTimeout(r, 500));
    const still = (await call<CampaignBody>('get', `/v1/campaigns/${created.body.id}`, { auth: org.key })).body;
    expect(still.status).toBe('paused');

    smtp.rcptPolicy = () => undefined;
    const resumed = await call<CampaignBody>('post', `/v1/campaigns/${created.body.id}/resume`, { auth: org.key });
    expect(resumed.status).toBe(200);
    const done = await campaignWhen(call, org.key, created.body.id, (c) => c.status === 'completed');
    expect((done.counts.sent ?? 0) + (done.counts.failed ?? 0)).toBe(400);
    expect(done.counts.failed).toBe(still.counts.failed);
    expect((await call('post', `/v1/campaigns/${created.body.id}/resume`, { auth: org.key })).status).toBe(409);
  });
});

describe('tenancy', () => {
  it("gives organisation B 404 on A's campaigns", async () => {
    const listId = await filledList(call, org.key, [{ email: 'a@voorbeeld.nl' }]);
    const created = await newCampaign(listId, { sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    const id = created.body.id;
    expect((await call('get', `/v1/campaigns/${id}`, { auth: orgB.key })).status).toBe(404);
    expect((await call('post', `/v1/campaigns/${id}/cancel`, { auth: orgB.key })).status).toBe(404);
    expect((await call('post', `/v1/campaigns/${id}/resume`, { auth: orgB.key })).status).toBe(404);
    expect((await call('post', `/v1/campaigns/${id}/test`, { auth: orgB.key, body: { email: 'b@voorbeeld.nl' } })).status).toBe(404);
    const page = await call<{ items: { id: string }[] }>('get', '/v1/campaigns', { auth: orgB.key });
    expect(page.body.items).toEqual([]);
    expect((await call('get', `/v1/campaigns/${id}`, { auth: org.key })).status).toBe(200);
  });
});

describe('DKIM', () => {
  it('signs campaign mail over List-Unsubscribe and List-Unsubscribe-Post, and mailauth verifies it', { timeout: 60_000 }, async () => {
    await workers[0]?.stop();
    workers.push(await ctx.start({ roles: ['mail'], config: ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>', BOUNCE_DOMAIN: 'bounces.tgg.test', ...dkim.env }) }));
    const listId = await filledList(call, org.key, [{ email: 'getekend@voorbeeld.nl', name: 'Getekend' }]);
    const created = await newCampaign(listId);
    await campaignWhen(call, org.key, created.body.id, (c) => c.status === 'completed');
    const [raw] = mailsTo('getekend@voorbeeld.nl');
    if (!raw) throw new Error('no signed mail');
    const verified = await dkimVerify(raw.raw, { resolver: dkim.resolver, sender: raw.from });
    expect(verified.results[0]?.status.result).toBe('pass');
    const head = (raw.raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
    const signed = /^DKIM-Signature:.*?\bh=([^;]+);/im.exec(head)?.[1]?.replace(/\s/g, '').toLowerCase().split(':') ?? [];
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'from', 'subject']));
    // Changing the one-click header breaks the signature: it is covered.
    const tampered = await dkimVerify(raw.raw.replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Two-Click'), { resolver: dkim.resolver, sender: raw.from });
    expect(tampered.results[0]?.status.result).toBe('fail');
  });
});
