// The newsletter's ops side and the rest of issue 14, against a real SMTP server on loopback:
// imported subscribers carry a language (JSON and CSV, checked against the catalogue, default
// the list's) and get the campaign footer in it; the mail and newsletter metrics after a send
// and a bounce (no address, id or organisation in them), and a recipient suppressed after the
// snapshot held back at the claim; the sign-up form refusing a post in the person's language;
// a campaign paused by a burst of 4xx seen and resumed by ops; unknown deliveries settled by
// ops (mark-sent mails nobody, resend mails them again), each in the audit log under the ops
// login.
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { en } from '../workers/messages/en.js';
import { nl } from '../workers/messages/nl.js';
import { suppress } from '../workers/newsletter/suppression.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { basic, baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { campaignWhen, filledList, sentCampaign, type CampaignBody } from './helpers/newsletter.js';
import { startSmtp } from './helpers/smtp.js';

const HOOK_SECRET = 'hook-secret-for-the-newsletter-ops-test';
const ctx = await createTestContext({ OPS_READONLY_USER: 'watcher', OPS_READONLY_PASSWORD: 'watcher-password-1', MAIL_HOOK_SECRET: HOOK_SECRET });
const smtp = await startSmtp();
const config = ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>', MAIL_RETRY_BASE_MS: '100' });
const web = await ctx.start({ roles: ['web'], config });
const worker = await ctx.start({ roles: ['mail'], config: ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>', MAIL_RETRY_BASE_MS: '100', METRICS_PORT: '0' }) });
afterAll(async () => {
  await worker.stop();
  await web.stop();
  await smtp.close();
});
const call = caller(web);
const ops = opsAuth(ctx);
const watcher = basic('watcher', 'watcher-password-1');
const org = await newOrganization(call, ctx, 'Vereniging Taal');
const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
const newCampaign = async (listId: string) => {
  const created = await call<CampaignBody>('post', '/v1/campaigns', { auth: org.key, body: { listId, subject: 'Nieuws', html: '<p>Hallo {{name}}</p>' } });
  expect(created.status).toBe(202);
  return created.body.id;
};

function sample(body: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = body.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
const scrape = async (port: number | undefined) => (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: ops } })).text();

describe('languages of imported subscribers and the campaign footer', () => {
  it('takes a language per row (JSON or CSV), refuses one the catalogue lacks, defaults to the list’s, and writes the footer in it', { timeout: 60_000 }, async () => {
    const list = await call<{ id: string; language: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Members abroad', language: 'en' } });
    expect(list.body.language).toBe('en');
    const json = await call('post', `/v1/lists/${list.body.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'anna@voorbeeld.nl', name: 'Anna', language: 'nl' }, { email: 'bob@voorbeeld.nl', name: 'Bob' }] } });
    expect(json.body).toMatchObject({ added: 2, invalid: 0 });
    const badJson = await call('post', `/v1/lists/${list.body.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'x@voorbeeld.nl', language: 'de' }] } });
    expect(badJson.status).toBe(400);
    const csv = await fetch(`${baseUrl(web)}/v1/lists/${list.body.id}/subscribers?basis=consent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.key}`, 'content-type': 'text/csv' },
      body: 'email;naam;taal\ncees@voorbeeld.nl;Cees;NL\ndirk@voorbeeld.nl;Dirk;\nerik@voorbeeld.nl;Erik;de\n',
    });
    expect(await csv.json()).toEqual({ added: 2, updated: 0, suppressed: 0, invalid: 1, rejected: [{ row: 3, reason: 'language' }] });
    const languages = Object.fromEntries((await ctx.db.selectFrom('newsletter_subscribers').select(['email', 'language']).where('list_id', '=', list.body.id).execute()).map((s) => [s.email, s.language]));
    expect(languages).toEqual({ 'anna@voorbeeld.nl': 'nl', 'bob@voorbeeld.nl': 'en', 'cees@voorbeeld.nl': 'nl', 'dirk@voorbeeld.nl': 'en' });
    // A re-import without a language keeps the subscriber's; one with a language changes it.
    await call('post', `/v1/lists/${list.body.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'anna@voorbeeld.nl' }, { email: 'dirk@voorbeeld.nl', language: 'nl' }] } });
    const again = await ctx.db.selectFrom('newsletter_subscribers').select(['email', 'language']).where('list_id', '=', list.body.id).where('email', 'in', ['anna@voorbeeld.nl', 'dirk@voorbeeld.nl']).orderBy('email').execute();
    expect(again.map((s) => s.language)).toEqual(['nl', 'nl']);

    const id = await newCampaign(list.body.id);
    await campaignWhen(call, org.key, id, (c) => c.status === 'completed');
    const footer = async (address: string) => {
      const [raw] = mailsTo(address);
      if (!raw) throw new Error('no mail');
      const mail = await simpleParser(raw.raw);
      return { text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '' };
    };
    const dutch = nl.campaignFooter({ organization: 'Vereniging Taal', list: 'Members abroad', email: 'anna@voorbeeld.nl' });
    const anna = await footer('anna@voorbeeld.nl');
    expect(anna.text).toContain(dutch.why);
    expect(anna.text).toContain(`${dutch.unsubscribe}: http`);
    expect(anna.html).toContain(`>${dutch.unsubscribe}</a>`);
    const english = en.campaignFooter({ organization: 'Vereniging Taal', list: 'Members abroad', email: 'bob@voorbeeld.nl' });
    const bob = await footer('bob@voorbeeld.nl');
    expect(bob.text).toContain(english.why);
    expect(bob.html).toContain(`>${english.unsubscribe}</a>`);
    expect(bob.text).not.toContain(dutch.unsubscribe);
  });
});

describe('the sign-up form refusing a post', () => {
  it('shows the form again with the reason in the person’s language, for a bad address and for too many sign-ups', async () => {
    const list = await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Formulier' } });
    const post = (language: string) =>
      fetch(`${baseUrl(web)}/public/lists/${list.body.id}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=iemand%40localhost&language=${language}` });
    const dutch = await post('nl');
    expect(dutch.status).toBe(400);
    expect(dutch.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await dutch.text();
    expect(page).toContain(nl.signupForm.invalidEmail);
    expect(page).toContain(`<form method="post" action="/public/lists/${list.body.id}/subscribe">`);
    expect(await (await post('en')).text()).toContain(en.signupForm.invalidEmail);
    for (let i = 2; i < 10; i++) expect((await post('nl')).status).toBe(400);
    const limited = await post('en');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain(en.signupForm.tooMany);
    // JSON still gets problem+json.
    const json = await call('post', `/public/lists/${list.body.id}/subscribe`, { body: { email: 'iemand@voorbeeld.nl' } });
    expect(json.status).toBe(429);
    expect(json.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('metrics of mail and campaigns', () => {
  it('counts recipients and mails by outcome in the worker, bounces in the web process, with nothing personal in a label', { timeout: 60_000 }, async () => {
    const before = await scrape(worker.port);
    const listId = await filledList(call, org.key, Array.from({ length: 12 }, (_, i) => ({ email: `teller${i}@voorbeeld.nl` })));
    // Suppressed after the import: the snapshot leaves it out.
    await ctx.db.transaction().execute((trx) => suppress(trx, config.suppressionKey, org.id, 'teller11@voorbeeld.nl', 'unsubscribe'));
    const id = await newCampaign(listId);
    const done = await campaignWhen(call, org.key, id, (c) => c.status === 'completed');
    expect(done.counts.sent).toBe(11);
    const after = await scrape(worker.port);
    const grew = (name: string, outcome: string) => sample(after, name, { outcome }) - sample(before, name, { outcome });
    expect(grew('tgg_newsletter_campaign_recipients_total', 'sent')).toBe(11);
    expect(grew('tgg_mail_messages_total', 'sent')).toBe(11);

    // A bounce through the hook counts once in the web process, however often it is reported.
    const delivery = await ctx.db.selectFrom('newsletter_deliveries').select('id').where('campaign_id', '=', id).orderBy('seq').executeTakeFirstOrThrow();
    const webBefore = await scrape(web.port);
    for (let i = 0; i < 2; i++) {
      expect((await call('post', '/hooks/mail/bounces', { auth: `Bearer ${HOOK_SECRET}`, body: { type: 'hard', deliveryId: Number(delivery.id) } })).status).toBe(200);
    }
    const webAfter = await scrape(web.port);
    for (const name of ['tgg_mail_messages_total', 'tgg_newsletter_campaign_recipients_total']) {
      expect(sample(webAfter, name, { outcome: 'bounced' }) - sample(webBefore, name, { outcome: 'bounced' }), name).toBe(1);
    }
    expect(webAfter).toMatch(/^# TYPE tgg_mail_unknown_messages gauge$/m);
    for (const body of [after, webAfter]) {
      for (const secret of ['voorbeeld', 'Vereniging Taal', org.id, id, listId]) expect(body).not.toContain(secret);
    }
  });
});

describe('recipients held back at the claim', () => {
  it('counts an address suppressed after the snapshot as suppressed, and never mails it', { timeout: 60_000 }, async () => {
    // The snapshot as start-campaign leaves it: three queued rows, one open chunk; then one address is suppressed.
    const { campaignId } = await sentCampaign(ctx.db, config.suppressionKey, org.id, ['vast0@voorbeeld.nl', 'vast1@voorbeeld.nl', 'vast2@voorbeeld.nl'], 'queued');
    await ctx.db.updateTable('newsletter_campaigns').set({ status: 'sending' }).where('id', '=', campaignId).execute();
    await ctx.db.insertInto('newsletter_campaign_chunks').values({ campaign_id: campaignId, chunk: 0 }).execute();
    await ctx.db.transaction().execute((trx) => suppress(trx, config.suppressionKey, org.id, 'vast1@voorbeeld.nl', 'complaint'));
    const before = await scrape(worker.port);
    await web.deps.queues.enqueue('newsletter.send-chunk', { campaignId, chunk: 0 });
    await campaignWhen(call, org.key, campaignId, (c) => c.status === 'completed');
    const after = await scrape(worker.port);
    const grew = (outcome: string) => sample(after, 'tgg_newsletter_campaign_recipients_total', { outcome }) - sample(before, 'tgg_newsletter_campaign_recipients_total', { outcome });
    expect([grew('sent'), grew('suppressed')]).toEqual([2, 1]);
    expect(mailsTo('vast1@voorbeeld.nl')).toEqual([]);
  });
});

describe('a campaign paused by a burst of refusals', () => {
  it('is listed for ops with its reason, resumed by ops (audited), and finishes', { timeout: 90_000 }, async () => {
    // Refused permanently: a relay's 4xx deferrals back off and never pause a campaign.
    smtp.rcptPolicy = (address) => (address.address.startsWith('pauze') ? { code: 554, message: 'Relay access denied' } : undefined);
    const listId = await filledList(call, org.key, Array.from({ length: 40 }, (_, i) => ({ email: `pauze${i}@voorbeeld.nl` })));
    const id = await newCampaign(listId);
    await campaignWhen(call, org.key, id, (c) => c.status === 'paused');

    expect((await call('get', '/ops/campaigns')).status).toBe(401);
    const listed = await call<{ items: { id: string; organizationId: string; status: string; pausedReason: string | null }[] }>('get', '/ops/campaigns', { auth: watcher });
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((c) => c.id === id)).toMatchObject({ organizationId: org.id, status: 'paused', pausedReason: 'failure-burst' });
    const status = await call<{ families: { newsletter: { pausedCampaigns: number } } }>('get', '/ops/status', { auth: watcher });
    expect(status.body.families.newsletter.pausedCampaigns).toBeGreaterThanOrEqual(1);

    // The read-only login sees, but cannot resume.
    expect((await call('post', `/ops/campaigns/${id}/resume`, { auth: watcher })).status).toBe(403);
    smtp.rcptPolicy = () => undefined;
    const resumed = await call<{ status: string }>('post', `/ops/campaigns/${id}/resume`, { auth: ops });
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('sending');
    expect((await call('post', `/ops/campaigns/${id}/resume`, { auth: ops })).status).toBe(409);
    expect((await call('post', `/ops/campaigns/${crypto.randomUUID()}/resume`, { auth: ops })).status).toBe(404);
    const done = await campaignWhen(call, org.key, id, (c) => c.status === 'completed');
    expect((done.counts.sent ?? 0) + (done.counts.failed ?? 0)).toBe(40);
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('entity_id', '=', id).where('action', '=', 'newsletter.campaign.resumed').execute();
    expect(audit).toMatchObject([{ actor_type: 'ops', actor_id: ctx.config.ops.user, organization_id: org.id }]);
  });
});

describe('unknown deliveries settled by ops', () => {
  /** A campaign whose mail number `drop` (counted from now) is dropped after its final '.': that delivery ends unknown. */
  async function campaignWithUnknown(prefix: string): Promise<{ id: string; unknownAddress: string }> {
    const base = smtp.received.length;
    smtp.dropAfterData = (n) => n === base + 3;
    const listId = await filledList(call, org.key, Array.from({ length: 8 }, (_, i) => ({ email: `${prefix}${i}@voorbeeld.nl` })));
    const id = await newCampaign(listId);
    const done = await campaignWhen(call, org.key, id, (c) => c.status === 'completed');
    smtp.dropAfterData = () => false;
    expect(done.counts.unknown).toBe(1);
    const unknownAddress = smtp.received[base + 2]?.to[0] ?? '';
    expect(unknownAddress).toMatch(new RegExp(`^${prefix}`));
    return { id, unknownAddress };
  }

  it('marks them sent without mailing anyone, or sends them again on request; both audited, both ops-write only', { timeout: 120_000 }, async () => {
    const marked = await campaignWithUnknown('gemist');
    const resent = await campaignWithUnknown('opnieuw');
    const listed = await call<{ items: { id: string; unknown: number }[] }>('get', '/ops/campaigns', { auth: watcher });
    expect(listed.body.items.filter((c) => c.id === marked.id || c.id === resent.id).map((c) => c.unknown)).toEqual([1, 1]);
    // A fresh web process: the gauge's read is cached for a minute where it was scraped before.
    const viewer = await ctx.start({ roles: ['web'], config });
    expect(sample(await scrape(viewer.port), 'tgg_mail_unknown_messages')).toBe(2);
    await viewer.stop();
    const status = await call<{ families: { newsletter: { unknownDeliveries: number; campaignsWithUnknown: number } } }>('get', '/ops/status', { auth: watcher });
    expect(status.body.families.newsletter).toMatchObject({ unknownDeliveries: 2, campaignsWithUnknown: 2 });

    const settle = (id: string, action: string, auth = ops) => call<{ action: string; settled: number }>('post', `/ops/campaigns/${id}/unknown`, { auth, body: { action } });
    expect((await settle(marked.id, 'mark-sent', watcher)).status).toBe(403);
    expect((await settle(marked.id, 'forget')).status).toBe(400);
    expect((await settle(crypto.randomUUID(), 'mark-sent')).status).toBe(404);

    const received = smtp.received.length;
    expect((await settle(marked.id, 'mark-sent')).body).toEqual({ action: 'mark-sent', settled: 1 });
    expect((await call<CampaignBody>('get', `/v1/campaigns/${marked.id}`, { auth: org.key })).body.counts).toMatchObject({ sent: 8, unknown: 0 });
    expect((await settle(marked.id, 'mark-sent')).body.settled).toBe(0);

    expect(mailsTo(resent.unknownAddress)).toHaveLength(1);
    expect((await settle(resent.id, 'resend')).body).toEqual({ action: 'resend', settled: 1 });
    await waitFor(() => Promise.resolve(mailsTo(resent.unknownAddress).length === 2), 'the deliberate second mail', 30_000);
    const done = await campaignWhen(call, org.key, resent.id, (c) => c.status === 'completed');
    expect(done.counts).toMatchObject({ sent: 8, unknown: 0 });
    // Only the one resent recipient got anything after the settling.
    expect(smtp.received.slice(received).flatMap((m) => m.to)).toEqual([resent.unknownAddress]);

    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor_type', 'actor_id', 'organization_id', 'entity_id', 'details']).where('action', 'like', 'newsletter.campaign.%unknown%').orderBy('id').execute();
    expect(audit).toMatchObject([
      { action: 'newsletter.campaign.unknown_marked_sent', actor_type: 'ops', actor_id: ctx.config.ops.user, organization_id: org.id, entity_id: marked.id, details: { settled: 1 } },
      { action: 'newsletter.campaign.unknown_marked_sent', entity_id: marked.id, details: { settled: 0 } },
      { action: 'newsletter.campaign.resend_unknown', actor_type: 'ops', organization_id: org.id, entity_id: resent.id, details: { settled: 1 } },
    ]);
  });
});
