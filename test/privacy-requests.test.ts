// Privacy requests end to end (issue 15), against real Postgres, Redis, SMTP and the outbox SMS
// provider: one person seeded into every domain and a second sharing the name; the access
// export holds each item and nothing of the second; after erasure a scan of every text, json,
// array and bytea column finds the first person nowhere but in P8 rows marked restricted, and
// no Redis key holds them; a restricted number gets no SMS from a batch.
import { afterAll, describe, expect, it } from 'vitest';
import { replayLedger } from '../workers/privacy/replay.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
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
      'mail.transactional': 1,
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
    });
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
    expect(done.outcome?.kept).toEqual([expect.objectContaining({ category: 'tem.invoice-lines', reason: expect.stringMatching(/AWR/) as unknown })]);
    expect(done.outcome?.categories['sms.messages']).toEqual({ erased: 2 });
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
});
