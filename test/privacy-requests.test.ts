// Privacy requests end to end (issue 15), against real Postgres, Redis, SMTP and the outbox SMS
// provider: one person seeded into every domain and a second sharing the name; the access
// export holds each item and nothing of the second; after erasure a scan of every text, json,
// array and bytea column finds the first person nowhere but in P8 rows marked restricted, and
// no Redis key holds them; a restricted number gets no SMS from a batch and a restricted address
// no campaign mail; an objection suppresses the address in every organisation that has it.
import { afterAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../workers/newsletter/deliveries.js';
import { suppressionHash } from '../workers/newsletter/suppression.js';
import { replayLedger } from '../workers/privacy/replay.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { campaignWhen, filledList, sentCampaign, type CampaignBody } from './helpers/newsletter.js';
import { needlesOf, scanDatabase, seedPerson, type Person } from './helpers/privacy.js';
import { startSmtp } from './helpers/smtp.js';

const ctx = await createTestContext();
const smtp = await startSmtp();
const runtime = await ctx.start({ roles: ['web', 'privacy', 'mail', 'sms'], config: ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <noreply@tgg.test>' }) });
afterAll(async () => {
  await runtime.stop();
  await smtp.close();
});
const call = caller(runtime);
const url = baseUrl(runtime);
const ops = opsAuth(ctx);
const orgA = await newOrganization(call, ctx, 'Leden A');
const orgB = await newOrganization(call, ctx, 'Leden B');

const jan: Person = { name: 'Jan de Vries', email: 'jan.devries@voorbeeld.nl', phone: '+31612345678' };
const namesake: Person = { name: 'Jan de Vries', email: 'j.de.vries@elders.nl', phone: '+31687654321' };
await seedPerson(ctx.db, orgA.id, jan, ctx.config.suppressionKey, 'jan');
await seedPerson(ctx.db, orgA.id, namesake, ctx.config.suppressionKey, 'namesake');

interface RequestView {
  id: string;
  status: string;
  dueAt: string;
  receivedAt: string;
  outcome: { categories: Record<string, Record<string, number>>; kept: { category: string; reason: string }[] } | null;
}

async function fileByOps(body: Record<string, string>) {
  const filed = await call<RequestView>('post', '/ops/privacy-requests', { auth: ops, body });
  expect(filed.status).toBe(201);
  return waitFor(async () => {
    const now = await call<RequestView>('get', `/ops/privacy-requests/${filed.body.id}`, { auth: ops });
    return now.body.status === 'done' ? now.body : undefined;
  }, `request ${body.type} done`, 20_000);
}

function linkIn(to: string, path: string): Promise<string> {
  return waitFor(() => {
    const mail = smtp.received.find((m) => m.to.includes(to) && m.raw.includes(path));
    if (!mail) return Promise.resolve(undefined);
    const text = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = new RegExp(`https?://\\S+${path}[^\\s]*`).exec(text)?.[0];
    return Promise.resolve(link?.replace(ctx.config.publicUrl, url));
  }, `a mail to ${to} with ${path}`, 20_000);
}

describe('access export', () => {
  it('holds each item of the person in every domain, every number format, and nothing of the namesake', async () => {
    const done = await fileByOps({ type: 'access', email: jan.email, phone: '06 12345678', name: jan.name });
    expect(new Date(done.dueAt).getMonth()).toBe((new Date(done.receivedAt).getMonth() + 1) % 12);
    const link = await linkIn(jan.email, '/public/privacy-exports/');
    const json = await fetch(`${link}&format=json`);
    expect(json.status).toBe(200);
    const document = (await json.json()) as { categories: { category: string; purpose: string | null; retention: string | null; items: { table: string }[] }[] };
    const counts = Object.fromEntries(document.categories.map((c) => [c.category, c.items.length]));
    expect(counts).toMatchObject({
      'identity.users': 1,
      'identity.contacts': 1,
      'mail.transactional': 2, // a password reset and a campaign's test mail
      'sms.messages': 2,
      'sms.replies': 1,
      'sms.opt-outs': 1,
      'tem.call-records': 2,
      'tem.period-charges': 1,
      'tem.subscriptions': 1,
      'tem.invoice-lines': 1,
      'newsletter.subscribers': 1,
      'newsletter.consents': 1,
      'newsletter.signups': 1,
      'newsletter.deliveries': 2,
      'newsletter.suppressions': 1,
    });
    // Which campaign, when, what became of it: nothing else (no other recipient, no hash).
    const deliveries = document.categories.find((c) => c.category === 'newsletter.deliveries')?.items ?? [];
    expect(deliveries.map((d) => Object.keys(d).sort())).toEqual(Array(2).fill(['campaignId', 'campaignSubject', 'id', 'lastChange', 'organizationId', 'sentAt', 'status', 'table']));
    const suppressions = document.categories.find((c) => c.category === 'newsletter.suppressions');
    expect(suppressions?.items).toEqual([expect.objectContaining({ organizationId: orgA.id, suppressed: true, reason: 'hard_bounce' })]);
    expect(suppressions?.retention).toMatch(/keyed hash/);
    expect(document.categories.find((c) => c.category === 'sms.messages')?.retention).toMatch(/6 calendar months/);
    const text = JSON.stringify(document);
    for (const needle of needlesOf(namesake)) expect(text).not.toContain(needle);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('sms.messages');
  });

  it('refuses a forged or altered export link', async () => {
    const link = await linkIn(jan.email, '/public/privacy-exports/');
    const forged = link.replace(/token=([^.]+)\.(\d+)\./, (_m, id: string, exp: string) => `token=${id}.${Number(exp) + 3600}.`);
    expect((await fetch(forged)).status).toBe(404);
    expect((await fetch(link.replace(/token=.*/, 'token=nonsense'))).status).toBe(404);
  });
});

describe('erasure', () => {
  it('leaves the person nowhere but in P8 rows marked restricted, named in the answer', async () => {
    const done = await fileByOps({ type: 'erasure', email: jan.email, phone: '0031612345678', name: jan.name });
    expect(done.outcome?.kept).toEqual([
      expect.objectContaining({ category: 'tem.invoice-lines', reason: expect.stringMatching(/AWR/) as unknown }),
      expect.objectContaining({ category: 'newsletter.suppressions', reason: expect.stringMatching(/keyed hash.*P12/) as unknown }),
    ]);
    expect(done.outcome?.categories['sms.messages']).toEqual({ erased: 2 });
    expect(done.outcome?.categories['newsletter.deliveries']).toEqual({ erased: 2 });
    expect(done.outcome?.categories['newsletter.suppressions']).toEqual({ kept: 1 });
    // The deliveries stay for the campaign's counts but no longer lead to anyone; the suppression stays (P12).
    const janHash = suppressionHash(ctx.config.suppressionKey, jan.email);
    const campaign = await ctx.db.selectFrom('newsletter_campaigns').select('id').where('html', '=', '<p>Beste {{name}}</p>').where('organization_id', '=', orgA.id).orderBy('created_at').executeTakeFirstOrThrow();
    const rows = await ctx.db.selectFrom('newsletter_deliveries').select(['subscriber_id', 'address_hash', 'status']).where('campaign_id', '=', campaign.id).orderBy('seq').execute();
    expect(rows.map((r) => [r.subscriber_id, r.address_hash.equals(janHash), r.status])).toEqual([
      [null, false, 'sent'],
      [null, false, 'bounced'],
    ]);
    expect(await ctx.db.selectFrom('newsletter_suppressions').select('reason').where('address_hash', '=', janHash).execute()).toEqual([{ reason: 'hard_bounce' }]);
    expect(done.outcome?.categories['tem.call-records']).toEqual({ erased: 2 });

    const hits = await scanDatabase(ctx.db, needlesOf(jan));
    const notRestricted = [];
    for (const hit of hits) {
      if (hit.table === 'einvoice_lines') {
        const line = await ctx.db.selectFrom('einvoice_lines').select('restricted_at').where('subscription_ref', '=', '06-12345678').executeTakeFirstOrThrow();
        expect(line.restricted_at).not.toBeNull();
        continue;
      }
      notRestricted.push(hit);
    }
    expect(notRestricted).toEqual([]);

    // The name is left only where the namesake is (their rows hold their own address or number).
    const named = await scanDatabase(ctx.db, [jan.name]);
    const namesakeNeedles = needlesOf(namesake);
    const strangers = named.filter((h) => h.table !== 'einvoice_lines' && !namesakeNeedles.some((n) => h.row.toLowerCase().includes(n.toLowerCase())) && !/\b(users|contacts)\b/.test(h.table));
    expect(strangers.map((h) => `${h.table}.${h.column}`)).toEqual([]);

    // The namesake is untouched.
    expect((await scanDatabase(ctx.db, [namesake.email])).length).toBeGreaterThan(0);
    // Opt-out hashes stay (P12), and the ledger holds keyed hashes of the identifiers.
    expect(await ctx.db.selectFrom('sms_opt_outs').select('masked').where('masked', 'like', '%5678').execute()).toHaveLength(1);
    expect(await ctx.db.selectFrom('privacy_erasure_ledger').selectAll().execute()).toHaveLength(2);

    const redis = (await ctx.redisDump()).toLowerCase();
    for (const needle of [...needlesOf(jan), jan.name]) expect(redis).not.toContain(needle.toLowerCase());
  });

  it('erases again what a restore from a backup brought back (npm run privacy:replay)', async () => {
    await seedPerson(ctx.db, orgA.id, jan, ctx.config.suppressionKey, 'restored');
    expect((await scanDatabase(ctx.db, [jan.email])).length).toBeGreaterThan(0);
    expect(await replayLedger(ctx.db, ctx.config.suppressionKey)).toEqual({ people: 2 });
    const left = (await scanDatabase(ctx.db, needlesOf(jan))).filter((h) => h.table !== 'einvoice_lines' && h.table !== 'einvoices');
    expect(left.map((h) => `${h.table}.${h.column}`)).toEqual([]);
  });

  it('tells the member whose data it was, and never another organisation', async () => {
    const a = await call<{ items: { kind: string; counts: Record<string, number> }[] }>('get', '/v1/privacy/notices', { auth: orgA.key });
    expect(a.status).toBe(200);
    expect(a.body.items).toEqual([expect.objectContaining({ kind: 'erasure', counts: expect.objectContaining({ 'sms.messages': 2, 'tem.call-records': 2 }) as unknown })]);
    const b = await call<{ items: unknown[] }>('get', '/v1/privacy/notices', { auth: orgB.key });
    expect(b.body.items).toEqual([]);
  });
});

describe('restriction', () => {
  it('suppresses a restricted number in a new SMS batch', async () => {
    await fileByOps({ type: 'restriction', phone: namesake.phone });
    const batch = await call<{ id: string }>('post', '/v1/sms/batches', { auth: orgA.key, body: { sender: 'TGG', body: 'Hallo', recipients: [{ phone: namesake.phone }, { phone: '+31611112222' }] } });
    expect(batch.status).toBe(202);
    const rows = await waitFor(async () => {
      const messages = await ctx.db.selectFrom('sms_messages').select(['phone', 'status']).where('batch_id', '=', batch.body.id).execute();
      return messages.length === 2 ? messages : undefined;
    }, 'the batch stored');
    expect(rows.find((m) => m.phone === namesake.phone)?.status).toBe('suppressed');
  });

  it('gives a restricted address no campaign mail: not in a new snapshot, held at the claim, its queued rows cancelled', { timeout: 60_000 }, async () => {
    const restricted = 'beperkt@voorbeeld.nl';
    // A campaign snapshotted before the restriction, its row still queued, and one whose row the claim meets after it.
    const queued = await sentCampaign(ctx.db, ctx.config.suppressionKey, orgA.id, [restricted], 'queued');
    const racing = await sentCampaign(ctx.db, ctx.config.suppressionKey, orgA.id, [restricted], 'queued');
    await ctx.db.updateTable('newsletter_campaigns').set({ status: 'paused' }).where('id', 'in', [queued.campaignId, racing.campaignId]).execute();
    const done = await fileByOps({ type: 'restriction', email: 'Beperkt@Voorbeeld.nl' });
    expect(done.outcome?.categories['newsletter.deliveries']).toEqual({ restricted: 2 });
    expect(await ctx.db.selectFrom('newsletter_deliveries').select(['status', 'error_code']).where('campaign_id', '=', queued.campaignId).execute()).toEqual([{ status: 'cancelled', error_code: 'restricted' }]);

    // A row queued after the restriction's own pass (as a snapshot racing it would leave) is held by the claim.
    await ctx.db.updateTable('newsletter_deliveries').set({ status: 'queued', error_code: null }).where('campaign_id', '=', racing.campaignId).execute();
    await ctx.db.updateTable('newsletter_campaigns').set({ status: 'sending' }).where('id', '=', racing.campaignId).execute();
    const claimed = await claimDeliveries(ctx.db, { campaignId: racing.campaignId, from: 0, to: 10 }, 10);
    expect(claimed.deliveries).toEqual([]);
    expect(await ctx.db.selectFrom('newsletter_deliveries').select(['status', 'error_code']).where('campaign_id', '=', racing.campaignId).execute()).toEqual([{ status: 'cancelled', error_code: 'restricted' }]);

    // A new campaign to a list with the address: the others get it, the restricted address nothing.
    const listId = await filledList(call, orgA.key, [{ email: restricted }, { email: 'vrij@voorbeeld.nl' }]);
    const before = smtp.received.length;
    const created = await call<CampaignBody>('post', '/v1/campaigns', { auth: orgA.key, body: { listId, subject: 'Nieuws', html: '<p>Hallo</p>' } });
    expect(created.status).toBe(202);
    const sent = await campaignWhen(call, orgA.key, created.body.id, (c) => c.status === 'completed');
    expect(sent.recipients).toBe(1);
    expect(smtp.received.slice(before).flatMap((m) => m.to)).toEqual(['vrij@voorbeeld.nl']);
  });
});

describe('complaint and objection', () => {
  it('routes a complaint to ops and names the Autoriteit Persoonsgegevens', async () => {
    const answer = await call<{ supervisoryAuthority: string }>('post', '/public/privacy-requests', { body: { type: 'complaint', email: 'klager@voorbeeld.nl', message: 'Ik ben ontevreden' } });
    expect(answer.status).toBe(202);
    expect(answer.body.supervisoryAuthority).toMatch(/Autoriteit Persoonsgegevens/);
    const done = await fileByOps({ type: 'complaint', email: 'klager@voorbeeld.nl', message: 'Per post' });
    expect(JSON.stringify(done.outcome)).toMatch(/Autoriteit Persoonsgegevens/);
    await waitFor(() => Promise.resolve(smtp.received.find((m) => m.to.includes(ctx.config.privacy.opsEmail))), 'the complaint mailed to ops');
  });

  it('an objection unsubscribes the address and suppresses it (reason objection) in every organisation that has it, and only those', async () => {
    const objector = 'bezwaar@voorbeeld.nl';
    const orgC = await newOrganization(call, ctx, 'Leden C');
    await filledList(call, orgA.key, [{ email: objector }]);
    // In organisation B the subscriber row is gone: only a delivery's hash says B had the address.
    const inB = await sentCampaign(ctx.db, ctx.config.suppressionKey, orgB.id, [objector]);
    await ctx.db.deleteFrom('newsletter_subscribers').where('organization_id', '=', orgB.id).where('email', '=', objector).execute();
    expect((await ctx.db.selectFrom('newsletter_deliveries').select('subscriber_id').where('campaign_id', '=', inB.campaignId).executeTakeFirstOrThrow()).subscriber_id).toBeNull();

    const done = await fileByOps({ type: 'objection', email: objector });
    expect(done.outcome?.categories).toMatchObject({ 'newsletter.subscribers': { restricted: 1 }, 'newsletter.suppressions': { restricted: 2 } });
    const hash = suppressionHash(ctx.config.suppressionKey, objector);
    const suppressed = await ctx.db.selectFrom('newsletter_suppressions').select(['organization_id', 'reason']).where('address_hash', '=', hash).execute();
    expect(suppressed.sort((a, b) => a.organization_id.localeCompare(b.organization_id))).toEqual(
      [{ organization_id: orgA.id, reason: 'objection' }, { organization_id: orgB.id, reason: 'objection' }].sort((a, b) => a.organization_id.localeCompare(b.organization_id)),
    );
    expect(suppressed.map((x) => x.organization_id)).not.toContain(orgC.id);
    expect(await ctx.db.selectFrom('newsletter_subscribers').select('status').where('email', '=', objector).execute()).toEqual([{ status: 'unsubscribed' }]);
  });
});
