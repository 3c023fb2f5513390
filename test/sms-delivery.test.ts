// After a batch is accepted (issue 4): signed status callbacks to a real HTTP server, retried when
// it fails; fairness between organisations (a batch of 10 overtakes another's 20,000); no phone
// number, address or text in Redis; and the retention purge six calendar months after sending.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { RETENTION_POLICY } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();

interface Received {
  readonly path: string;
  readonly signature: string;
  readonly body: string;
  readonly answered: number;
}

const received: Received[] = [];
/** Bodies the flaky endpoint has failed once already. */
const failedOnce = new Set<string>();

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const hooks = createServer((req, res) => {
  void readBody(req).then((body) => {
    const path = req.url ?? '';
    // /flaky answers 500 to the first delivery of each callback, then 200.
    const answered = path === '/flaky' && !failedOnce.has(body) ? (failedOnce.add(body), 500) : 200;
    received.push({ path, signature: String(req.headers['x-tgg-signature'] ?? ''), body, answered });
    res.writeHead(answered).end();
  });
});
await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
const hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;

const web = await ctx.start({ roles: ['web'] });
// One job at a time: the fairness case needs a busy worker to show who goes first.
const worker = await ctx.start({ roles: ['sms', 'mail'], workerOptions: { concurrency: 1 } });
afterAll(async () => {
  await worker.stop();
  await web.stop();
  hooks.closeAllConnections();
  await new Promise<void>((resolve) => hooks.close(() => resolve()));
});

const call = caller(web);
const a = await newOrganization(call, ctx, 'Zorggroep Noord');
const b = await newOrganization(call, ctx, 'Kapsalon Zuid');
// What the batches below send: no log line may hold a message text or a recipient's name.
ctx.used('uw afspraak is morgen', 'de griepprik is er weer', 'tot zaterdag!', 'knipbeurt om', 'Bewoner 1', 'Klant 1');

interface Batch {
  id: string;
  status: string;
  accepted: number;
  cost: string;
  segments: { total: number };
  counts?: Record<string, number>;
  completedAt: string | null;
}

interface CallbackPayload {
  type: 'batch.status' | 'messages.status';
  batchId: string;
  reference: string | null;
  status?: string;
  messages?: { id: number; index: number; status: string; errorCode: string | null }[];
}

const completed = (id: string, auth: string, timeoutMs?: number) => batches(call, () => auth).finished<Batch>(id, timeoutMs);

async function secretOf(organizationId: string): Promise<string> {
  const row = await ctx.db.selectFrom('organizations').select('callback_secret').where('id', '=', organizationId).executeTakeFirstOrThrow();
  return row.callback_secret;
}

/** Verifies `t=<unix>,v1=<hex>` as a member would: HMAC-SHA256 over `${t}.${body}`. */
function verifies(signature: string, body: string, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  if (!match) return false;
  const [, t, v1] = match as unknown as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

const PII = [/\+\d{10,}/, /(?<![\dA-Fa-f])0?6\d{8}(?![\dA-Fa-f])/, /@/, /Hoi/i, /"(phone|email|text|fields)"/];

const people = (n: number, first = 0) =>
  Array.from({ length: n }, (_, i) => ({ phone: mobile(first + i), fields: { naam: `Bewoner ${first + i}` } }));

describe('signed callbacks', () => {
  let batchId: string;

  it('POSTs message statuses and the completed batch to callbackUrl, signed with the organisation secret, without numbers or texts', async () => {
    const recipients = [...people(1_500), { phone: 'onbekend', fields: { naam: 'X' } }, { email: 'mevrouw.bos@example.nl', fields: { naam: 'mevrouw Bos' } }];
    const answer = await call<Batch>('post', '/v1/sms/batches', {
      auth: a.key,
      body: { sender: 'ZorgNoord', body: 'Hoi {{naam}}, uw afspraak is morgen.', reference: 'afspraken', callbackUrl: `${hooksUrl}/hooks`, recipients },
    });
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toBe(1_501);
    batchId = answer.body.id;
    await completed(batchId, a.key);

    const payloads = await waitFor(() => {
      const mine = received.filter((r) => r.path === '/hooks').map((r) => ({ raw: r, payload: JSON.parse(r.body) as CallbackPayload }));
      const indexes = mine.flatMap((m) => m.payload.messages ?? []).length;
      return Promise.resolve(mine.some((m) => m.payload.type === 'batch.status') && indexes === 1_501 ? mine : undefined);
    }, 'the callbacks of the batch');

    const secret = await secretOf(a.id);
    for (const { raw, payload } of payloads) {
      expect(verifies(raw.signature, raw.body, secret), raw.signature).toBe(true);
      expect(verifies(raw.signature, raw.body, await secretOf(b.id))).toBe(false);
      expect(payload).toMatchObject({ batchId, reference: 'afspraken' });
      for (const pattern of PII) expect(raw.body).not.toMatch(pattern);
    }
    expect(payloads.filter((p) => p.payload.type === 'batch.status').map((p) => p.payload.status)).toEqual(['completed']);

    // Every message once, by id and index, with the status the API shows.
    const fromCallbacks = payloads.flatMap((p) => p.payload.messages ?? []).sort((x, y) => x.index - y.index);
    const messages: { id: number; index: number; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: number; index: number; status: string }[]; nextCursor: string | null } } = await call('get', `/v1/sms/batches/${batchId}/messages?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { auth: a.key });
      messages.push(...page.body.items.map(({ id, index, status }) => ({ id, index, status })));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(fromCallbacks.map(({ id, index, status }) => ({ id, index, status }))).toEqual(messages);
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(['sent']));

    const rows = await ctx.db.selectFrom('sms_callbacks').select(['status', 'attempts', 'last_http_status']).where('batch_id', '=', batchId).execute();
    expect(rows.length).toBe(payloads.length);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.last_http_status === 200)).toBe(true);
  });

  it('delivers a callback again after the server answered 500', async () => {
    const answer = await call<Batch>('post', '/v1/sms/batches', {
      auth: a.key,
      body: { sender: 'ZorgNoord', body: 'Hoi {{naam}}', callbackUrl: `${hooksUrl}/flaky`, recipients: people(3, 5_000) },
    });
    expect(answer.status).toBe(202);
    await completed(answer.body.id, a.key);
    const rows = await waitFor(async () => {
      const found = await ctx.db.selectFrom('sms_callbacks').select(['status', 'attempts', 'last_http_status']).where('batch_id', '=', answer.body.id).execute();
      return found.length === 2 && found.every((r) => r.status === 'sent') ? found : undefined;
    }, 'both callbacks delivered', 20_000);
    expect(rows.map((r) => [r.attempts, r.last_http_status])).toEqual([
      [2, 200],
      [2, 200],
    ]);
    const flaky = received.filter((r) => r.path === '/flaky');
    const bodies = new Set(flaky.map((r) => r.body));
    expect(bodies.size).toBe(2);
    const secret = await secretOf(a.id);
    for (const body of bodies) {
      // The same callback twice: first refused, then taken; both signed.
      const deliveries = flaky.filter((r) => r.body === body);
      expect(deliveries.map((r) => r.answered)).toEqual([500, 200]);
      for (const d of deliveries) expect(verifies(d.signature, d.body, secret)).toBe(true);
    }
  });
});

describe('fairness between organisations', () => {
  it("sends B's batch of 10 while A's batch of 20,000 still has messages queued", async () => {
    const big = await call<Batch>('post', '/v1/sms/batches', { auth: a.key, body: { sender: 'ZorgNoord', body: 'Hoi {{naam}}, de griepprik is er weer.', recipients: people(20_000, 100_000) } });
    expect(big.status).toBe(202);
    const small = await call<Batch>('post', '/v1/sms/batches', {
      auth: b.key,
      body: { sender: 'KapsalonZ', body: 'Hoi {{naam}}, tot zaterdag!', recipients: Array.from({ length: 10 }, (_, i) => ({ phone: `+3162${String(i).padStart(7, '0')}`, fields: { naam: `Klant ${i}` } })) },
    });
    expect(small.status).toBe(202);

    const smallDone = await completed(small.body.id, b.key);
    expect(smallDone.counts).toMatchObject({ sent: 10, queued: 0 });
    const bigDone = await completed(big.body.id, a.key, 60_000);
    expect(bigDone.counts).toMatchObject({ sent: 20_000, queued: 0 });

    // From the rows: when B's batch completed, A's was not, and most of A's messages went out after.
    const smallAt = new Date(smallDone.completedAt ?? '');
    expect(new Date(bigDone.completedAt ?? '').getTime()).toBeGreaterThan(smallAt.getTime());
    const later = await ctx.db
      .selectFrom('sms_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('batch_id', '=', big.body.id)
      .where('sent_at', '>', smallAt)
      .executeTakeFirstOrThrow();
    expect(Number(later.n)).toBeGreaterThan(10_000);
  });
});

describe('Redis', () => {
  it('holds no phone number, e-mail address or text of the batches once they are done', async () => {
    const batches = await ctx.db.selectFrom('sms_batches').select(['id', 'status']).execute();
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(batches.every((x) => x.status === 'completed')).toBe(true);
    const dump = await ctx.redisDump();
    // The jobs are there (by batch id): the search looks at the right keys.
    for (const { id } of batches) expect(dump).toContain(id);
    for (const pattern of PII) expect(dump).not.toMatch(pattern);
    for (const word of ['Bewoner', 'Klant', 'afspraak', 'griepprik', 'zaterdag', 'mevrouw', 'example.nl']) expect(dump).not.toContain(word);
  });
});

describe('retention', () => {
  it('erases numbers, addresses, texts and fields 6 calendar months after sending; statuses, segments and costs stay', async () => {
    const make = (naam: string, first: number) =>
      call<Batch>('post', '/v1/sms/batches', {
        auth: b.key,
        body: { sender: 'KapsalonZ', body: 'Hoi {{naam}}, knipbeurt om {{tijd}}.', recipients: [...people(3, first).map((p) => ({ ...p, fields: { naam, tijd: '10:00' } })), { email: `${naam.toLowerCase()}@example.nl`, fields: { naam, tijd: '11:00' } }] },
      });
    const old = await make('Oud', 200_000);
    const recent = await make('Recent', 300_000);
    for (const batch of [old, recent]) await completed(batch.body.id, b.key);

    const sentAt = await ctx.db.selectFrom('sms_messages').select((eb) => eb.fn.max('sent_at').as('at')).where('batch_id', '=', old.body.id).executeTakeFirstOrThrow();
    // The clock moved 6 calendar months and a day past the last send of the old batch...
    const now = new Date(sentAt.at ?? '');
    now.setUTCMonth(now.getUTCMonth() + 6);
    now.setUTCDate(now.getUTCDate() + 1);
    // ...when the recent batch had been made and sent 5 months before.
    const fiveMonthsBefore = sql`${now.toISOString()}::timestamptz - interval '5 months'`;
    await sql`UPDATE sms_messages SET sent_at = ${fiveMonthsBefore}, created_at = ${fiveMonthsBefore} WHERE batch_id = ${recent.body.id}`.execute(ctx.db);
    await sql`UPDATE sms_batches SET created_at = ${fiveMonthsBefore} WHERE id = ${recent.body.id}`.execute(ctx.db);

    const columns = ['id', 'seq', 'channel', 'status', 'segments', 'cost', 'destination', 'encoding', 'sent_at', 'phone', 'email', 'text', 'fields', 'anonymised_at'] as const;
    const rowsOf = (id: string) => ctx.db.selectFrom('sms_messages').select(columns).where('batch_id', '=', id).orderBy('seq').execute();
    const [oldBefore, recentBefore] = [await rowsOf(old.body.id), await rowsOf(recent.body.id)];
    const oldBatchBefore = await call<Batch>('get', `/v1/sms/batches/${old.body.id}`, { auth: b.key });
    expect(oldBefore.map((m) => m.text)).toEqual(['Hoi Oud, knipbeurt om 10:00.', 'Hoi Oud, knipbeurt om 10:00.', 'Hoi Oud, knipbeurt om 10:00.', 'Hoi Oud, knipbeurt om 11:00.']);

    const counts = await purgeAll(ctx.db, RETENTION_POLICY, { now, batchSize: 1_000 });
    expect(counts['sms.messages']).toBeGreaterThanOrEqual(oldBefore.length);

    const oldAfter = await rowsOf(old.body.id);
    expect(oldAfter.map((m) => ({ phone: m.phone, email: m.email, text: m.text, fields: m.fields }))).toEqual(oldBefore.map(() => ({ phone: null, email: null, text: null, fields: null })));
    expect(oldAfter.every((m) => m.anonymised_at !== null)).toBe(true);
    const kept = (m: (typeof oldBefore)[number]) => ({ id: m.id, seq: m.seq, channel: m.channel, status: m.status, segments: m.segments, cost: m.cost, sent_at: m.sent_at });
    expect(oldAfter.map(kept)).toEqual(oldBefore.map(kept));
    expect(oldBefore.map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sent']);

    // The member still sees the counts, segments and cost; the numbers are gone.
    const oldBatchAfter = await call<Batch>('get', `/v1/sms/batches/${old.body.id}`, { auth: b.key });
    expect(oldBatchAfter.body).toEqual(oldBatchBefore.body);
    const listed = await call<{ items: { phone: string | null; email: string | null; status: string }[] }>('get', `/v1/sms/batches/${old.body.id}/messages`, { auth: b.key });
    expect(listed.body.items.map((m) => [m.phone, m.email, m.status])).toEqual(oldBefore.map(() => [null, null, 'sent']));
    const template = await ctx.db.selectFrom('sms_batches').select(['body', 'anonymised_at', 'cost', 'segments_total']).where('id', '=', old.body.id).executeTakeFirstOrThrow();
    expect(template).toMatchObject({ body: null, cost: oldBatchBefore.body.cost, segments_total: oldBatchBefore.body.segments.total });
    expect(template.anonymised_at).not.toBeNull();

    // Sent 5 months before: untouched.
    expect(await rowsOf(recent.body.id)).toEqual(recentBefore);
    expect(recentBefore.every((m) => m.phone !== null || m.email !== null)).toBe(true);
    expect(recentBefore.every((m) => m.anonymised_at === null && m.text?.startsWith('Hoi Recent'))).toBe(true);
  });
});
