// STOP the Dutch way against a real SMSC on loopback (issue 11, items 11-15; issue 9, item 7):
// replies from national, international and alphanumeric senders, the Gedragscode's stop words,
// STOP plus a keyword, concatenated replies (8- and 16-bit references), the free confirmation,
// other replies stored and called back, marketing batches without an opt-out way, and members
// who try to undo a recipient's STOP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_POLICY } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { normalizePhone } from '../workers/phone/e164.js';
import { DEFAULT_CONFIRMATION, queueConfirmations } from '../workers/sms/opt-out-confirmation.js';
import { phoneHash } from '../workers/sms/opt-outs.js';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl, readBody } from './helpers/http.js';
import { caller, newOrganization, type Call, type NewOrganization, type ProblemBody } from './helpers/identity.js';
import { batches, mobile, type Recipient } from './helpers/sms.js';
import { startSmsc, type TestSmsc } from './helpers/smsc.js';
import { concatenatedReply, reply } from './helpers/smsc-replies.js';

const ctx = await createTestContext();
let smsc: TestSmsc;
let runtime: Runtime;
let call: Call;
let a: NewOrganization;
let b: NewOrganization;

const callbacks: Array<{ path: string; body: string }> = [];
const hooks = createServer((req, res) => {
  void readBody(req).then((body) => {
    callbacks.push({ path: req.url ?? '', body });
    res.writeHead(200).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  smsc = await startSmsc();
  runtime = await ctx.start({
    roles: ['web', 'sms', 'scheduler'],
    config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, RECONCILE_INTERVAL_MS: '200', SMPP_RESPONSE_TIMEOUT_MS: '3000' }),
  });
  call = caller(runtime);
  a = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
  b = await newOrganization(call, ctx, 'Kapsalon Zuid');
});

afterAll(async () => {
  await runtime.stop();
  await smsc.close();
  hooks.closeAllConnections();
  await new Promise<void>((resolve) => hooks.close(() => resolve()));
});

const hooksUrl = () => `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
const sendAs = async (org: NewOrganization, sender: string, body: string, recipients: readonly Recipient[]) => {
  const id = await batches(call, () => org.key).submit(sender, body, recipients);
  await batches(call, () => org.key).finished(id);
  return id;
};
/** The number as an SMSC writes it nationally (0612345678) and internationally without + (31612345678). */
const national = (e164: string) => `0${e164.slice(3)}`;
const international = (e164: string) => e164.slice(1);
const masked = (e164: string) => `+31 6 ****${e164.slice(-4)}`;

async function optOutsOf(org: NewOrganization): Promise<Array<{ masked: string; source: string }>> {
  const answer = await call<{ items: Array<{ masked: string; source: string }> }>('get', '/v1/sms/opt-outs', { auth: org.key });
  return answer.body.items;
}
const maskedOptOuts = async (org: NewOrganization) => (await optOutsOf(org)).map((o) => o.masked).sort();

async function confirmationsTo(e164: string) {
  return ctx.db
    .selectFrom('sms_messages as m')
    .innerJoin('sms_batches as b', 'b.id', 'm.batch_id')
    .select(['b.organization_id', 'b.sender', 'b.cost', 'm.text', 'm.cost as message_cost'])
    .where('b.purpose', '=', 'opt-out-confirmation')
    .where('m.phone', '=', e164)
    .execute();
}

const submittedTo = (e164: string) => smsc.received.filter((r) => r.destination === international(e164));

describe('STOP from any way of writing the number (item 11)', () => {
  it('opts out national, 00-international and international senders; an alphanumeric one is acknowledged and dropped', async () => {
    const [n1, n2, n3, n4, n5] = [mobile(401), mobile(402), mobile(403), mobile(404), mobile(405)];
    await sendAs(a, 'Gemeente', 'Uw afspraak', [{ phone: n1 }, { phone: n2 }, { phone: n3 }, { phone: n4 }, { phone: n5 }]);
    expect(await reply(smsc, national(n1), 'STOP', { ton: 2, npi: 1 })).toBe(smpp.ESME_ROK);
    expect(await reply(smsc, `00${international(n2)}`, 'STOP', { ton: 0, npi: 0 })).toBe(smpp.ESME_ROK);
    expect(await reply(smsc, national(n3), 'stop', { ton: 0, npi: 0 })).toBe(smpp.ESME_ROK);
    expect(await reply(smsc, international(n4), 'STOP', { ton: 1, npi: 1 })).toBe(smpp.ESME_ROK);
    expect(await reply(smsc, 'Gemeente', 'STOP', { ton: 5, npi: 0 })).toBe(smpp.ESME_ROK);
    // The text in the message_payload TLV instead of short_message (SMPP 3.4 §5.3.2.32).
    expect(await smsc.deliver({ source_addr: international(n5), source_addr_ton: 1, source_addr_npi: 1, esm_class: 0, data_coding: 1, message_payload: 'Stop' })).toBe(smpp.ESME_ROK);
    // A deliver_sm is answered once what it carries is stored.
    expect(await maskedOptOuts(a)).toEqual([n1, n2, n3, n4, n5].map(masked));
    expect((await optOutsOf(a)).every((o) => o.source === 'reply')).toBe(true);
  });
});

describe('the confirmation (item 13)', () => {
  it('is one free SMS in Dutch from the sender the person was texted by, through the SMSC', async () => {
    const n1 = mobile(401);
    const [confirmation] = await confirmationsTo(n1);
    expect(await confirmationsTo(n1)).toHaveLength(1);
    expect(confirmation).toMatchObject({ organization_id: a.id, sender: 'Gemeente', cost: '0.0000', text: DEFAULT_CONFIRMATION, message_cost: '0.0000' });
    const arrived = await waitFor(() => Promise.resolve(submittedTo(n1).find((r) => r.text === DEFAULT_CONFIRMATION)), 'the confirmation at the SMSC');
    expect(arrived).toMatchObject({ sourceAddr: 'Gemeente', sourceTon: 5 });
  });

  it('goes at most once a day to a number, in the organisation\'s own words when it set them', async () => {
    const n = mobile(430);
    const tooLong = await call<ProblemBody>('put', '/v1/sms/settings', { auth: a.key, body: { optOutConfirmation: 'ë'.repeat(150) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors?.[0]?.field).toBe('body.optOutConfirmation');
    const own = 'Afgemeld bij Gemeente Voorbeeld. Vragen? 14 020';
    const set = await call<{ optOutConfirmation: string; optOutConfirmationIsDefault: boolean }>('put', '/v1/sms/settings', { auth: a.key, body: { optOutConfirmation: own } });
    expect(set.body).toEqual({ optOutConfirmation: own, optOutConfirmationIsDefault: false });
    expect((await call<{ optOutConfirmation: string }>('get', '/v1/sms/settings', { auth: b.key })).body.optOutConfirmation).toBe(DEFAULT_CONFIRMATION);

    await sendAs(a, '+3197012345678', 'Uw pas is klaar', [{ phone: n }]);
    await reply(smsc, international(n), 'STOP', { to: '3197012345678' });
    await reply(smsc, international(n), 'Stoppen', { to: '3197012345678' });
    await reply(smsc, national(n), 'UIT', { ton: 2 });
    const confirmations = await confirmationsTo(n);
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatchObject({ sender: '+3197012345678', text: own });
    await waitFor(() => Promise.resolve(submittedTo(n).find((r) => r.text === own)), 'the confirmation at the SMSC');
    expect(await call('put', '/v1/sms/settings', { auth: a.key, body: { optOutConfirmation: null } })).toMatchObject({ status: 200 });
  });

});

describe('stop words per the Gedragscode, concatenated replies (item 12)', () => {
  it('opts out on the whole message only, folded, after putting its parts together', async () => {
    const n = (i: number) => mobile(410 + i);
    await sendAs(b, 'Kapsalon', 'Tot morgen', Array.from({ length: 7 }, (_, i) => ({ phone: n(i) })));
    await reply(smsc, international(n(0)), 'Uit de hoogte bekeken is het mooi');
    await reply(smsc, international(n(1)), '"Stoppen!"');
    await reply(smsc, international(n(2)), 'ＳＴＯＰ');
    // Part 1 of 2 waits in Postgres (not in memory) and opts nobody out yet.
    await concatenatedReply(smsc, international(n(3)), ['ST', 'OP'], { ref: 7, order: [1] });
    expect(await ctx.db.selectFrom('sms_reply_parts').select(['part', 'total']).execute()).toEqual([{ part: 1, total: 2 }]);
    expect(await maskedOptOuts(b)).toEqual([n(1), n(2)].map(masked));
    await concatenatedReply(smsc, international(n(3)), ['ST', 'OP'], { ref: 7, order: [2] });
    await concatenatedReply(smsc, international(n(4)), ['AF', 'MEL', 'DEN'], { ref: 0x1234, sixteenBit: true, order: [3, 1, 2] });
    // Each part alone is a stop word; together they are not.
    await concatenatedReply(smsc, international(n(5)), ['Uit', ' de hoogte'], { ref: 9 });
    await concatenatedReply(smsc, international(n(6)), ['Stop', ' met bellen'], { ref: 10, sixteenBit: true });

    expect(await maskedOptOuts(b)).toEqual([n(1), n(2), n(3), n(4)].map(masked));
    expect(await ctx.db.selectFrom('sms_reply_parts').select('part').execute()).toEqual([]);
    const replies = await call<{ items: Array<{ text: string }> }>('get', '/v1/sms/replies?limit=100', { auth: b.key });
    expect(replies.body.items.map((r) => r.text).sort()).toEqual(['Stop met bellen', 'Uit de hoogte', 'Uit de hoogte bekeken is het mooi']);
  });

  it('STOP plus a keyword opts out of that organisation only; plain STOP of every one that texted the number', async () => {
    const claimed = await call<{ keyword: string }>('post', '/v1/sms/keywords', { auth: b.key, body: { keyword: 'kapsalon' } });
    expect(claimed).toMatchObject({ status: 201, body: { keyword: 'KAPSALON' } });
    expect((await call('post', '/v1/sms/keywords', { auth: b.key, body: { keyword: 'Kapsalon' } })).status).toBe(200);
    const taken = await call<ProblemBody>('post', '/v1/sms/keywords', { auth: a.key, body: { keyword: 'KAPSALON' } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors?.[0]?.field).toBe('body.keyword');
    for (const bad of ['stop', 'x', 'twee woorden']) {
      const answer = await call<ProblemBody>('post', '/v1/sms/keywords', { auth: a.key, body: { keyword: bad } });
      expect(answer.status, bad).toBe(400);
      expect(answer.body.errors?.[0]?.field).toBe('body.keyword');
    }
    expect((await call<{ items: unknown[] }>('get', '/v1/sms/keywords', { auth: a.key })).body.items).toEqual([]);
    expect((await call('delete', '/v1/sms/keywords/kapsalon', { auth: a.key })).status).toBe(404);
    expect((await call<{ items: Array<{ keyword: string }> }>('get', '/v1/sms/keywords', { auth: b.key })).body.items.map((k) => k.keyword)).toEqual(['KAPSALON']);

    const [k1, k2] = [mobile(420), mobile(421)];
    await sendAs(a, 'Gemeente', 'Hallo', [{ phone: k1 }, { phone: k2 }]);
    await sendAs(b, 'Kapsalon', 'Hallo', [{ phone: k1 }, { phone: k2 }]);
    await reply(smsc, international(k1), 'Stop Kapsalon');
    await reply(smsc, international(k2), 'STOP');
    const inA = await maskedOptOuts(a);
    const inB = await maskedOptOuts(b);
    expect(inA).not.toContain(masked(k1));
    expect(inB).toContain(masked(k1));
    expect(inA).toContain(masked(k2));
    expect(inB).toContain(masked(k2));
    expect((await confirmationsTo(k1)).map((c) => c.organization_id)).toEqual([b.id]);
  });
});

describe('other replies (item 15)', () => {
  it('are stored for the organisation, listed, and called back with the message they answer, never the number', async () => {
    const n = mobile(440);
    const batch = await call<{ id: string }>('post', '/v1/sms/batches', {
      auth: a.key,
      body: { sender: 'Gemeente', body: 'Afspraak morgen 10:00', reference: 'afspraken', callbackUrl: `${hooksUrl()}/replies`, recipients: [{ phone: mobile(441) }, { phone: n }] },
    });
    await batches(call, () => a.key).finished(batch.body.id);
    await reply(smsc, national(n), 'Kan het ook om 11:00?', { ton: 2 });

    const called = await waitFor(() => Promise.resolve(callbacks.find((c) => c.path === '/replies' && c.body.includes('messages.reply'))), 'the reply callback');
    const payload = JSON.parse(called.body) as { type: string; batchId: string; reference: string; reply: { messageId: number; index: number; text: string } };
    expect(payload).toMatchObject({ type: 'messages.reply', batchId: batch.body.id, reference: 'afspraken', reply: { index: 1, text: 'Kan het ook om 11:00?' } });
    expect(called.body).not.toContain(international(n).slice(2));

    const listed = await call<{ items: Array<Record<string, unknown>>; nextCursor: string | null }>('get', `/v1/sms/replies?batchId=${batch.body.id}`, { auth: a.key });
    expect(listed.body.items).toEqual([expect.objectContaining({ batchId: batch.body.id, messageId: payload.reply.messageId, index: 1, phone: n, text: 'Kan het ook om 11:00?' })]);
    const ofB = await call<{ items: Array<{ text: string }> }>('get', `/v1/sms/replies?batchId=${batch.body.id}`, { auth: b.key });
    expect(ofB.body.items).toEqual([]);
    const allOfB = await call<{ items: Array<{ text: string }> }>('get', '/v1/sms/replies?limit=100', { auth: b.key });
    expect(allOfB.body.items.map((r) => r.text)).not.toContain('Kan het ook om 11:00?');
  });

  it('pages newest first with a cursor, and refuses a cursor it never gave out', async () => {
    const first = await call<{ items: Array<{ id: number }>; nextCursor: string | null }>('get', '/v1/sms/replies?limit=2', { auth: b.key });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const next = await call<{ items: Array<{ id: number }> }>('get', `/v1/sms/replies?limit=2&cursor=${first.body.nextCursor}`, { auth: b.key });
    expect(Math.max(...next.body.items.map((r) => r.id))).toBeLessThan(Math.min(...first.body.items.map((r) => r.id)));
    const bad = await call<ProblemBody>('get', '/v1/sms/replies?cursor=bm9wZQ', { auth: b.key });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe('query.cursor');
  });
});

describe('a member and a recipient\'s STOP (issue 9, item 7)', () => {
  it('cannot remove an opt-out the person made by replying STOP, even one the member had added before', async () => {
    const n = mobile(401);
    const refused = await call<ProblemBody>('delete', `/v1/sms/opt-outs/${national(n)}`, { auth: a.key });
    expect(refused.status).toBe(409);
    expect(refused.body.errors?.[0]?.field).toBe('params.phone');
    expect(refused.body.detail).toMatch(/replying STOP/);
    expect(await maskedOptOuts(a)).toContain(masked(n));

    const m = mobile(451);
    await sendAs(a, 'Gemeente', 'Hallo', [{ phone: m }]);
    expect((await call('post', '/v1/sms/opt-outs', { auth: a.key, body: { phone: m } })).status).toBe(201);
    await reply(smsc, international(m), 'STOP');
    expect((await call('delete', `/v1/sms/opt-outs/${m}`, { auth: a.key })).status).toBe(409);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'sms.opt-out.removed').execute()).toEqual([]);
  });

  it('removes an opt-out the member added, audited without the number', async () => {
    const n = mobile(450);
    expect((await call('post', '/v1/sms/opt-outs', { auth: a.key, body: { phone: n } })).status).toBe(201);
    expect((await call('delete', `/v1/sms/opt-outs/${n}`, { auth: b.key })).status).toBe(404);
    expect((await call('delete', `/v1/sms/opt-outs/${national(n)}`, { auth: a.key })).status).toBe(204);
    expect(await maskedOptOuts(a)).not.toContain(masked(n));
    const entries = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'sms.opt-out.removed').execute();
    expect(entries).toEqual([expect.objectContaining({ actor_type: 'api_key', actor_id: a.keyId, organization_id: a.id, entity_type: 'sms_opt_out', details: { source: 'api' } })]);
    expect(JSON.stringify(entries)).not.toContain(n.slice(3));
  });
});

describe('marketing batches carry an opt-out way (item 14)', () => {
  const submit = (body: Record<string, unknown>) => call<ProblemBody>('post', '/v1/sms/batches', { auth: a.key, body: { recipients: [{ phone: mobile(460) }], ...body } });

  async function csv(fields: Record<string, string>) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([`phone\n${mobile(461)}\n`], { type: 'text/csv' }), 'r.csv');
    const response = await fetch(`${baseUrl(runtime)}/v1/sms/batches/csv`, { method: 'POST', headers: { authorization: `Bearer ${a.key}` }, body: form });
    return { status: response.status, body: (await response.json()) as ProblemBody };
  }

  it('refuses one without, naming the field, in JSON and in a CSV upload', async () => {
    for (const [sender, body] of [['Kapsalon', 'Korting! Antwoord STOP'], ['Kapsalon', 'Korting!'], ['+3197012345678', 'Korting! Afmelden: kaps.nl/a']]) {
      const answer = await submit({ sender, body, purpose: 'marketing' });
      expect(answer.status, body).toBe(400);
      expect(answer.body.errors?.[0]?.field).toBe('body.body');
      const uploaded = await csv({ sender: sender ?? '', body: body ?? '', purpose: 'marketing' });
      expect(uploaded.status, body).toBe(400);
      expect(uploaded.body.errors?.[0]?.field).toBe('body.body');
    }
    const wrong = await submit({ sender: 'Kapsalon', body: 'Hallo', purpose: 'spam' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0]?.field).toBe('body.purpose');
  });

  it('accepts one with it, and a service message without', async () => {
    for (const [sender, body] of [['+3197012345678', 'Korting! Geen sms meer? Antwoord STOP'], ['Kapsalon', 'Korting! Sms STOP naar 4411'], ['Kapsalon', 'Korting! https://kaps.nl/af']]) {
      expect((await submit({ sender, body, purpose: 'marketing' })).status, body).toBe(202);
    }
    expect((await csv({ sender: 'Kapsalon', body: 'Korting! www.kapsalon.nl', purpose: 'marketing' })).status).toBe(202);
    const service = await call<{ purpose: string }>('post', '/v1/sms/batches', { auth: a.key, body: { sender: 'Kapsalon', body: 'Uw afspraak', recipients: [{ phone: mobile(462) }] } });
    expect(service).toMatchObject({ status: 202, body: { purpose: 'service' } });
  });
});

describe('retention of replies (item 15)', () => {
  it('erases the number and text of a reply after 6 months, and a lone part after a day', async () => {
    const n = mobile(470);
    await sendAs(a, 'Gemeente', 'Hallo', [{ phone: n }]);
    await reply(smsc, international(n), 'Tot ziens');
    await concatenatedReply(smsc, international(n), ['Half', ' bericht'], { ref: 77, order: [1] });
    const day = 86_400_000;
    const nextDay = await purgeAll(ctx.db, RETENTION_POLICY, { now: new Date(Date.now() + 2 * day), batchSize: 1_000 });
    expect(nextDay).toMatchObject({ 'sms.reply-parts': 1, 'sms.replies': 0 });
    expect(await ctx.db.selectFrom('sms_reply_parts').select('id').execute()).toEqual([]);

    await purgeAll(ctx.db, RETENTION_POLICY, { now: new Date(Date.now() + 200 * day), batchSize: 1_000 });
    const replies = await ctx.db.selectFrom('sms_replies').select(['phone', 'text', 'anonymised_at', 'message_id']).execute();
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((r) => r.phone === null && r.text === null && r.anonymised_at !== null && r.message_id !== null)).toBe(true);
  });
});

describe('the confirmation per organisation (left by review 2)', () => {
  it('goes once a day per organisation: a STOP to a second organisation the same day is confirmed by it', async () => {
    const n = mobile(480);
    await sendAs(b, 'Kapsalon', 'Tot morgen', [{ phone: n }]);
    await reply(smsc, international(n), 'STOP');
    await sendAs(a, 'Gemeente', 'Uw afspraak', [{ phone: n }]);
    await reply(smsc, international(n), 'STOP');
    await reply(smsc, international(n), 'STOP');
    expect((await confirmationsTo(n)).map((c) => c.organization_id).sort()).toEqual([a.id, b.id].sort());
  });

  it('confirms one number to two organisations in the same post', async () => {
    const n = mobile(481);
    await sendAs(a, 'Gemeente', 'Hallo', [{ phone: n }]);
    await sendAs(b, 'Kapsalon', 'Hallo', [{ phone: n }]);
    const phone = normalizePhone(n);
    if (!phone.ok) throw new Error('test number');
    const hash = phoneHash(ctx.config.suppressionKey, n);
    const jobs = await ctx.db.transaction().execute((trx) => queueConfirmations(trx, [a, b].map((org) => ({ organizationId: org.id, phone, hash }))));
    expect(jobs).toHaveLength(2);
    expect((await confirmationsTo(n)).map((c) => c.organization_id).sort()).toEqual([a.id, b.id].sort());
  });
});
