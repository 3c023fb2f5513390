// Bulk SMS batches as a member submits them (issue 4): a few thousand recipients with invalid,
// duplicate, landline, opted-out and unpersonalisable ones; counts and the first 100 rejections;
// every accepted SMS in the outbox exactly once with its own text; paging; the JSON limit; the
// Idempotency-Key; sendAt with the scheduler, and cancel; the e-mail channel over real SMTP; scopes.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newKey, newOrganization, type Answer } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';
import { startSmtp } from './helpers/smtp.js';

const ctx = await createTestContext();

const smtp = await startSmtp();
const mails = smtp.received;

const runtime = await ctx.start({
  roles: ['web', 'sms', 'mail'],
  config: ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <noreply@tgg.test>' }),
});
// The runtime first (its pooled SMTP connections), then the SMTP server.
afterAll(async () => {
  await runtime.stop();
  await smtp.close();
});

const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Bakkerij Jansen');

interface Batch {
  id: string;
  status: string;
  sendAt: string | null;
  encoding: string | null;
  segments: { perMessage: number | null; min: number | null; max: number | null; total: number };
  accepted: number;
  rejected: number;
  rejections: { index: number; reason: string }[];
  cost: string;
  counts?: Record<string, number>;
}

interface Message {
  id: number;
  index: number;
  channel: 'sms' | 'email';
  phone: string | null;
  email: string | null;
  status: string;
  segments: number;
  cost: string;
}

interface Recipient {
  phone?: string;
  email?: string;
  fields?: Record<string, string>;
}

const TEMPLATE = 'Hoi {{naam}}, je bestelling ligt klaar.';
const textFor = (naam: string) => `Hoi ${naam}, je bestelling ligt klaar.`;

async function batchOf(id: string, auth = org.key): Promise<Batch> {
  const answer = await call<Batch>('get', `/v1/sms/batches/${id}`, { auth });
  expect(answer.status).toBe(200);
  return answer.body;
}

const completed = (id: string) => batches(call, () => org.key).finished(id);

async function outboxOf(batchId: string) {
  return ctx.db
    .selectFrom('sms_outbox as o')
    .innerJoin('sms_messages as m', 'm.id', 'o.message_id')
    .select(['o.message_id', 'o.recipient', 'o.text', 'o.sender', 'm.seq'])
    .where('m.batch_id', '=', batchId)
    .orderBy('m.seq')
    .execute();
}

async function allMessages(id: string, query = '', limit = 1000): Promise<Message[]> {
  const items: Message[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const answer: { status: number; body: { items: Message[]; nextCursor: string | null } } = await call('get', `/v1/sms/batches/${id}/messages?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, { auth: org.key });
    expect(answer.status).toBe(200);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('more pages than expected');
}

// ---------------------------------------------------------------------------------------------
// The big batch: 3,000 recipients, each with what should become of it.

type Expected = { reason: string } | { e164: string; text: string; status: 'sent' | 'suppressed' };

const N = 3_000;
const SAME_NUMBER = ['0612345678', '+31612345678', '0031612345678', '+31 (0)6 1234 5678'];
/** Numbers opted out before the batch, written as a member would. */
const OPTED_OUT = [5, 1_005, 2_005].map((i) => `061${String(i).padStart(7, '0')}`);

function plan(): { recipients: Recipient[]; expected: Expected[] } {
  const recipients: Recipient[] = [];
  const expected: Expected[] = [];
  const accept = (r: Recipient, e164: string, naam: string) => {
    recipients.push(r);
    expected.push({ e164, text: textFor(naam), status: OPTED_OUT.some((o) => `+31${o.slice(1)}` === e164) ? 'suppressed' : 'sent' });
  };
  const reject = (r: Recipient, reason: string) => {
    recipients.push(r);
    expected.push({ reason });
  };
  for (let i = 0; i < N; i++) {
    const naam = `Klant ${i}`;
    const special = [10, 700, 1_400, 2_100].indexOf(i);
    if (special >= 0) {
      const phone = SAME_NUMBER[special] ?? '';
      if (special === 0) accept({ phone, fields: { naam } }, '+31612345678', naam);
      else reject({ phone, fields: { naam } }, 'duplicate');
    } else if (i % 20 === 7) reject({ phone: i % 40 === 7 ? '+31 6 123' : 'bel me', fields: { naam } }, 'invalid-phone');
    else if (i % 50 === 13) reject({ phone: '020 1234567', fields: { naam } }, 'not-mobile');
    else if (i % 250 === 41) reject({ phone: mobile(i), fields: { voornaam: naam } }, 'missing-field:naam');
    else if (i % 100 === 99) reject({ phone: `061${String(i - 1).padStart(7, '0')}`, fields: { naam } }, 'duplicate');
    else if (i === 1_234) reject({}, 'no-recipient');
    else if (i === 1_235) reject({ email: 'geen-adres' }, 'invalid-email');
    else accept({ phone: mobile(i), fields: { naam } }, mobile(i), naam);
  }
  return { recipients, expected };
}

describe('a batch of a few thousand recipients', () => {
  const { recipients, expected } = plan();
  const accepted = expected.flatMap((e, index) => ('e164' in e ? [{ index, ...e }] : []));
  const rejections = expected.flatMap((e, index) => ('reason' in e ? [{ index, reason: e.reason }] : []));
  const sent = accepted.filter((e) => e.status === 'sent');
  let optOutStatuses: number[];
  let answer: Answer<Batch>;
  let batch: Batch;

  // The batch every test below looks at, submitted (and sent) once for all of them.
  beforeAll(async () => {
    optOutStatuses = [];
    for (const phone of OPTED_OUT) optOutStatuses.push((await call('post', '/v1/sms/opt-outs', { auth: org.key, body: { phone } })).status);
    answer = await call<Batch>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Jansen', body: TEMPLATE, reference: 'weekactie', recipients } });
    batch = answer.body;
    // The tests after the first one read the sent batch.
    if (answer.status === 202) await completed(batch.id);
  });

  it('answers 202 with the counts, the first 100 rejections by index and reason, and the cost', () => {
    for (const status of optOutStatuses) expect(status).toBe(201);
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/v1/sms/batches/${batch.id}`);
    expect(rejections.length).toBeGreaterThan(100);
    expect(batch).toMatchObject({
      status: 'queued',
      accepted: accepted.length,
      rejected: rejections.length,
      encoding: 'gsm7',
      segments: { perMessage: 1, min: 1, max: 1, total: sent.length },
      // € 0.0750 a segment to +31; suppressed numbers cost nothing.
      cost: (sent.length * 0.075).toFixed(4),
    });
    expect(batch.rejections).toEqual(rejections.slice(0, 100));
    expect(new Set(batch.rejections.map((r) => r.reason))).toEqual(new Set(['invalid-phone', 'not-mobile', 'duplicate', 'missing-field:naam']));
  });

  it('sends every accepted SMS exactly once, with its personalised text; opted-out numbers are suppressed at no cost', async () => {
    const done = await completed(batch.id);
    expect(done.counts).toEqual({ queued: 0, sending: 0, sent: sent.length, delivered: 0, failed: 0, expired: 0, cancelled: 0, suppressed: OPTED_OUT.length, unknown: 0 });

    const outbox = await outboxOf(batch.id);
    expect(outbox).toHaveLength(sent.length);
    expect(new Set(outbox.map((o) => o.message_id)).size).toBe(sent.length);
    expect(outbox.map((o) => ({ index: o.seq, e164: o.recipient, text: o.text }))).toEqual(sent.map((e) => ({ index: e.index, e164: e.e164, text: e.text })));
    expect(new Set(outbox.map((o) => o.sender))).toEqual(new Set(['Jansen']));

    // The four spellings of one number reached it once, as the first of them.
    expect(outbox.filter((o) => o.recipient === '+31612345678').map((o) => o.seq)).toEqual([10]);
    const suppressed = await allMessages(batch.id, '&status=suppressed');
    expect(suppressed.map((m) => ({ phone: m.phone, cost: m.cost, segments: m.segments }))).toEqual(
      OPTED_OUT.map((o) => ({ phone: `+31${o.slice(1)}`, cost: '0.0000', segments: 1 })),
    );
    expect(outbox.some((o) => OPTED_OUT.some((p) => o.recipient === `+31${p.slice(1)}`))).toBe(false);
  });

  it('pages through the messages with a cursor, in recipient order, and by status', async () => {
    const pages: Message[][] = [];
    let cursor: string | null = null;
    do {
      const answer: { status: number; body: { items: Message[]; nextCursor: string | null } } = await call('get', `/v1/sms/batches/${batch.id}/messages?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { auth: org.key });
      expect(answer.status).toBe(200);
      pages.push(answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor !== null);
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, accepted.length - 2000]);
    const messages = pages.flat();
    expect(messages.map((m) => ({ index: m.index, phone: m.phone, status: m.status }))).toEqual(accepted.map((e) => ({ index: e.index, phone: e.e164, status: e.status })));
    expect(messages.every((m) => m.channel === 'sms' && m.segments === 1)).toBe(true);

    const sentOnly = await allMessages(batch.id, '&status=sent', 700);
    expect(sentOnly.map((m) => m.index)).toEqual(sent.map((e) => e.index));
    expect(await allMessages(batch.id, '&status=failed')).toEqual([]);

    const bad = await call('get', `/v1/sms/batches/${batch.id}/messages?cursor=bm90IGEgbnVtYmVy`, { auth: org.key });
    expect(bad.status).toBe(400);
  });

  it('lists the batch, and refuses to cancel it once completed (409)', async () => {
    const list = await call<{ items: Batch[] }>('get', '/v1/sms/batches', { auth: org.key });
    expect(list.body.items.map((b) => b.id)).toContain(batch.id);
    const cancel = await call('post', `/v1/sms/batches/${batch.id}/cancel`, { auth: org.key });
    expect(cancel.status).toBe(409);
    expect((await batchOf(batch.id)).status).toBe('completed');
    expect(await outboxOf(batch.id)).toHaveLength(sent.length);
  });
});

describe('the list of batches', () => {
  it('pages newest first with a cursor, each batch once, also within one millisecond and on a tie', async () => {
    const own = await newOrganization(call, ctx, 'Lijst BV');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call<Batch>('post', '/v1/sms/batches', { auth: own.key, body: { sender: 'TGG', body: `Bericht ${i}`, recipients: [{ phone: mobile(700 + i) }] } });
      ids.push(answer.body.id);
    }
    // Batch 1 and 2 one microsecond apart (the same millisecond); 3 and 4 at the same instant (the id decides).
    const at = (i: number, time: string) => sql`UPDATE sms_batches SET created_at = ${`2026-11-28T12:00:${time}Z`}::timestamptz WHERE id = ${ids[i]!}`.execute(ctx.db);
    await at(0, '00.100000');
    await at(1, '00.123400');
    await at(2, '00.123401');
    await at(3, '01.000000');
    await at(4, '01.000000');
    const expected = await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', own.id).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Batch[]; nextCursor: string | null } } = await call('get', `/v1/sms/batches?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { auth: own.key });
      expect(page.status).toBe(200);
      pages.push(page.body.items.map((b) => b.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(expected.map((b) => b.id));

    const bad = await call('get', `/v1/sms/batches?cursor=${Buffer.from(JSON.stringify(['1.5', ids[0]])).toString('base64url')}`, { auth: own.key });
    expect(bad.status).toBe(400);
  });
});

describe('limits and repeats', () => {
  it('answers 413 naming the CSV route for more than 100,000 recipients, and stores nothing', async () => {
    const before = await ctx.db.selectFrom('sms_batches').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const recipients = Array.from({ length: 100_001 }, () => ({ phone: '1' }));
    const answer = await call('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Jansen', body: 'Hoi', recipients } });
    expect(answer.status).toBe(413);
    expect(answer.body.detail).toContain('/v1/sms/batches/csv');
    const after = await ctx.db.selectFrom('sms_batches').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  // Adversarial review, 6 December: a key reused by mistake for a new batch answered 200 with the
  // old batch, and the new one was silently never sent.
  it('refuses an Idempotency-Key used before for another batch (409 naming the header), and makes nothing', async () => {
    const headers = { 'idempotency-key': 'nieuwsbrief-december' };
    const body = { sender: 'Jansen', body: 'Fijne feestdagen!', recipients: [{ phone: '0630000011' }] };
    expect((await call<Batch>('post', '/v1/sms/batches', { auth: org.key, body, headers })).status).toBe(202);
    for (const other of [{ body: 'Gelukkig nieuwjaar!' }, { sender: 'Pietersen' }, { purpose: 'marketing', body: 'Fijne feestdagen! Sms STOP naar 4411' }, { reference: 'januari' }, { sendAt: new Date(Date.now() + 86_400_000).toISOString() }]) {
      const refused = await call('post', '/v1/sms/batches', { auth: org.key, body: { ...body, ...other }, headers });
      expect(refused.status, JSON.stringify(other)).toBe(409);
      expect(refused.body.errors?.map((e) => e.field)).toEqual(['header.idempotency-key']);
    }
    expect(await ctx.db.selectFrom('sms_batches').select('id').where('idempotency_key', '=', headers['idempotency-key']).execute()).toHaveLength(1);
  });

  it('returns the first batch for a repeated Idempotency-Key (200, Idempotent-Replayed) and sends it once', async () => {
    const headers = { 'idempotency-key': 'weekactie-2026-48' };
    const body = { sender: 'Jansen', body: TEMPLATE, recipients: [{ phone: '0630000001', fields: { naam: 'Eva' } }, { phone: '0630000002', fields: { naam: 'Bas' } }] };
    const first = await call<Batch>('post', '/v1/sms/batches', { auth: org.key, body, headers });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await call<Batch>('post', '/v1/sms/batches', { auth: org.key, body: { ...body, recipients: [{ phone: '0630000003', fields: { naam: 'Ria' } }] }, headers });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toMatchObject({ id: first.body.id, accepted: 2 });

    const rows = await ctx.db.selectFrom('sms_batches').select('id').where('idempotency_key', '=', headers['idempotency-key']).execute();
    expect(rows.map((r) => r.id)).toEqual([first.body.id]);
    await completed(first.body.id);
    expect((await outboxOf(first.body.id)).map((o) => [o.recipient, o.text])).toEqual([
      ['+31630000001', textFor('Eva')],
      ['+31630000002', textFor('Bas')],
    ]);
    const ria = await ctx.db.selectFrom('sms_outbox').select('id').where('recipient', '=', '+31630000003').execute();
    expect(ria).toEqual([]);
  });
});

describe('sendAt and cancel', () => {
  it('keeps a future batch scheduled; the scheduler starts it when due, and a cancelled one never goes out', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const submit = (naam: string, phones: string[]) =>
      call<Batch>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Jansen', body: TEMPLATE, sendAt, recipients: phones.map((phone) => ({ phone, fields: { naam } })) } });
    const later = await submit('Later', ['0640000001', '0640000002', '0640000003']);
    const cancelled = await submit('Nooit', ['0640000011', '0640000012']);
    for (const answer of [later, cancelled]) {
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ status: 'scheduled', sendAt: new Date(sendAt).toISOString() });
    }
    expect((await batchOf(later.body.id)).counts).toMatchObject({ queued: 3, sent: 0 });

    const cancel = await call<Batch>('post', `/v1/sms/batches/${cancelled.body.id}/cancel`, { auth: org.key });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'cancelled', counts: { cancelled: 2, queued: 0 } });
    expect(cancel.body).not.toMatchObject({ cancelledAt: null });
    expect((await call('post', `/v1/sms/batches/${cancelled.body.id}/cancel`, { auth: org.key })).status).toBe(409);

    // Both fall due; only a scheduler (reconciler) role enqueues due batches.
    await ctx.db.updateTable('sms_batches').set({ send_at: sql<Date>`now() - interval '1 second'` }).where('id', 'in', [later.body.id, cancelled.body.id]).execute();
    expect((await batchOf(later.body.id)).status).toBe('scheduled');
    const scheduler = await ctx.start({ roles: ['scheduler'], config: ctx.configWith({ RECONCILE_INTERVAL_MS: '100' }) });
    try {
      const done = await completed(later.body.id);
      expect(done.counts).toMatchObject({ sent: 3, queued: 0 });
      expect((await outboxOf(later.body.id)).map((o) => o.recipient)).toEqual(['+31640000001', '+31640000002', '+31640000003']);
    } finally {
      await scheduler.stop();
    }
    // The scheduler saw both due; the cancelled one stayed as it was.
    expect(await batchOf(cancelled.body.id)).toMatchObject({ status: 'cancelled', counts: { cancelled: 2, sent: 0, queued: 0 } });
    expect(await outboxOf(cancelled.body.id)).toEqual([]);
  });
});

describe('the e-mail channel', () => {
  it('sends the text by e-mail to a recipient with only an address, with its own status', async () => {
    const answer = await call<Batch>('post', '/v1/sms/batches', {
      auth: org.key,
      body: { sender: 'Jansen', body: TEMPLATE, recipients: [{ email: 'Marieke.Visser@Example.nl', fields: { naam: 'Marieke' } }, { phone: '0650000001', fields: { naam: 'Joost' } }] },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 2, rejected: 0 });
    const done = await completed(answer.body.id);
    expect(done.counts).toMatchObject({ sent: 2, failed: 0 });

    const messages = await allMessages(answer.body.id);
    expect(messages.map((m) => ({ channel: m.channel, phone: m.phone, email: m.email, status: m.status }))).toEqual([
      { channel: 'email', phone: null, email: 'marieke.visser@example.nl', status: 'sent' },
      { channel: 'sms', phone: '+31650000001', email: null, status: 'sent' },
    ]);
    const mail = mails.find((m) => m.to.includes('marieke.visser@example.nl'));
    expect(mail?.raw).toContain(textFor('Marieke'));
    expect(mail?.raw).toMatch(/^Subject: Bericht van Jansen/m);
    // The SMS went by SMS only, the e-mail by e-mail only.
    expect((await outboxOf(answer.body.id)).map((o) => [o.recipient, o.text])).toEqual([['+31650000001', textFor('Joost')]]);
    expect(mails.filter((m) => m.raw.includes('Joost'))).toEqual([]);
  });
});

describe('scopes', () => {
  it('answers 403 to a key without the sms scope, and stores nothing', async () => {
    const mailOnly = await newKey(call, org.key, { name: 'nieuwsbrief', scopes: ['mail'] });
    const body = { sender: 'Jansen', body: 'Hoi', reference: 'zonder scope', recipients: [{ phone: '0612345678' }] };
    expect((await call('post', '/v1/sms/batches', { auth: mailOnly.key, body })).status).toBe(403);
    expect((await call('get', '/v1/sms/batches', { auth: mailOnly.key })).status).toBe(403);
    expect((await call('post', '/v1/sms/opt-outs', { auth: mailOnly.key, body: { phone: '0612345678' } })).status).toBe(403);
    const rows = await ctx.db.selectFrom('sms_batches').select('id').where('reference', '=', 'zonder scope').execute();
    expect(rows).toEqual([]);
  });
});
