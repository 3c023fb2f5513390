// SMS through a JSON gateway on loopback (a node:http server): one request per window with our
// references and the Bearer token, accepted and rejected messages, a gateway that is briefly
// unavailable, and the signed hook for delivery reports and STOP replies.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../api/webhook-signature.js';
import { createHttpProvider } from '../workers/sms/providers/http.js';
import type { SubmitResult } from '../workers/sms/providers/provider.js';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization, type Call, type NewOrganization } from './helpers/identity.js';
import { batches, mobile, type Batch } from './helpers/sms.js';
import { startGateway, type TestGateway } from './helpers/sms-gateway.js';

const SECRET = 'test-gateway-hook-secret-0123456789abcdef';
const TOKEN = 'gateway-token-42';

const ctx = await createTestContext();
let gateway: TestGateway;
let runtime: Runtime;
let call: Call;
let org: NewOrganization;

beforeAll(async () => {
  gateway = await startGateway();
  runtime = await ctx.start({
    roles: ['web', 'sms', 'scheduler'],
    config: ctx.configWith({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_TOKEN: TOKEN, SMS_HTTP_SECRET: SECRET, RECONCILE_INTERVAL_MS: '200' }),
  });
  call = caller(runtime);
  org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
});

afterAll(async () => {
  await runtime.stop();
  await gateway.close();
});

const to = mobile;
const send = (body: string, phones: readonly string[]) => batches(call, () => org.key).submit('TGG', body, phones.map((phone) => ({ phone })));
const finished = (id: string) => batches(call, () => org.key).finished(id);

async function messageIds(batchId: string): Promise<Map<string, string>> {
  const rows = await ctx.db.selectFrom('sms_messages').select(['id', 'phone']).where('batch_id', '=', batchId).execute();
  return new Map(rows.map((r) => [String(r.id), r.phone ?? '']));
}

const now = () => Math.floor(Date.now() / 1000);

/** `at` null: no X-Signature-Timestamp. */
async function hook(body: unknown, signature: string | undefined, at: number | null = now()) {
  const raw = JSON.stringify(body);
  const response = await fetch(`${baseUrl(runtime)}/hooks/sms/http`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature !== undefined && { 'x-signature': signature }),
      ...(at !== null && { 'x-signature-timestamp': String(at) }),
    },
    body: raw,
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const signed = (body: unknown) => hook(body, signatureOf(SECRET, now(), JSON.stringify(body)));

describe('HTTP provider', () => {
  it('posts each message once with our reference and the Bearer token; accepted ones are sent, a rejected one failed', async () => {
    gateway.answer = (messages) => {
      const answer = gateway.acceptAll(messages.filter((m) => m.to !== to(2)));
      const rejected = messages.filter((m) => m.to === to(2)).map((m) => ({ reference: m.reference, status: 'rejected', error: 'invalid-destination' }));
      return { status: 200, body: { results: [...(answer.body as { results: unknown[] }).results, ...rejected] } };
    };
    const id = await send('Hallo', [to(1), to(2), to(3)]);
    const batch = await finished(id);
    expect(batch.counts).toMatchObject({ sent: 2, failed: 1, unknown: 0, queued: 0 });

    const ids = await messageIds(id);
    const arrived = gateway.requests.flatMap((r) => r.messages);
    expect(arrived.map((m) => m.reference).sort()).toEqual([...ids.keys()].sort());
    for (const m of arrived) expect(m).toMatchObject({ from: 'TGG', to: ids.get(m.reference), text: 'Hallo', encoding: 'gsm7' });
    expect(new Set(gateway.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));

    const failed = await ctx.db.selectFrom('sms_messages').select(['phone', 'error_code']).where('batch_id', '=', id).where('status', '=', 'failed').execute();
    expect(failed).toEqual([{ phone: to(2), error_code: 'invalid-destination' }]);
    const parts = await ctx.db.selectFrom('sms_message_parts').select(['message_id', 'part', 'smsc_id']).where('message_id', 'in', [...ids.keys()].map(Number)).execute();
    expect(parts.map((p) => ({ reference: String(p.message_id), part: p.part, id: p.smsc_id })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      gateway.accepted.map((a) => ({ reference: a.reference, part: 1, id: a.id })).sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('retries every message of a window the gateway answered 503, and sends them all', async () => {
    gateway.requests.length = 0;
    gateway.accepted.length = 0;
    gateway.answer = (messages, n) => (n === 0 ? { status: 503, body: { error: 'busy' } } : gateway.acceptAll(messages));
    const phones = Array.from({ length: 5 }, (_, i) => to(10 + i));
    const id = await send('Nog eens', phones);
    const batch = await finished(id);
    expect(batch.counts).toMatchObject({ sent: 5, failed: 0, unknown: 0 });
    expect(gateway.requests.length).toBeGreaterThanOrEqual(2);
    expect(gateway.accepted.map((a) => a.to).sort()).toEqual(phones);
  });

  it('applies a signed delivery report, and refuses a wrongly signed one without changing anything', async () => {
    gateway.accepted.length = 0;
    gateway.answer = (messages) => gateway.acceptAll(messages);
    const id = await send('Bezorgd?', [to(20), to(21)]);
    await finished(id);
    const [first, second] = gateway.accepted;
    expect(second).toBeDefined();

    const ok = await signed({ reports: [{ id: first?.id, status: 'DELIVRD' }] });
    expect(ok.status).toBe(204);
    await waitFor(async () => {
      const b = await call<Batch>('get', `/v1/sms/batches/${id}`, { auth: org.key });
      return b.body.counts?.delivered === 1 ? b : undefined;
    }, 'the delivered count');

    const receiptsBefore = await ctx.db.selectFrom('sms_receipts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const forged = { reports: [{ id: second?.id, status: 'DELIVRD' }] };
    const wrong = await hook(forged, signatureOf('another-secret-of-at-least-32-characters', now(), JSON.stringify(forged)));
    expect(wrong.status).toBe(401);
    expect(wrong.type).toMatch(/^application\/problem\+json/);
    expect((await hook(forged, undefined)).status).toBe(401);
    expect((await hook(forged, signatureOf(SECRET, now(), `${JSON.stringify(forged)} `))).status).toBe(401);

    await new Promise((r) => setTimeout(r, 600));
    const receiptsAfter = await ctx.db.selectFrom('sms_receipts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(receiptsAfter.n).toBe(receiptsBefore.n);
    const batch = await call<Batch>('get', `/v1/sms/batches/${id}`, { auth: org.key });
    expect(batch.body.counts).toMatchObject({ delivered: 1, sent: 1 });
  });

  it('opts the sender of an incoming STOP out', async () => {
    // This organisation sends to the number first, so the reply has someone to opt out of.
    gateway.answer = (messages) => gateway.acceptAll(messages);
    await finished(await send('Eerst', [to(21)]));
    const answer = await signed({ incoming: [{ from: to(21).slice(1), text: 'STOP' }, { from: to(20), text: 'Dank je' }] });
    expect(answer.status).toBe(204);
    const optOuts = await call<{ items: Array<{ masked: string; source: string }> }>('get', '/v1/sms/opt-outs', { auth: org.key });
    expect(optOuts.body.items).toEqual([expect.objectContaining({ masked: '+31 6 ****0021', source: 'reply' })]);
    const again = await send('Weer', [to(20), to(21)]);
    expect((await finished(again)).counts).toMatchObject({ suppressed: 1, sent: 1 });
  });

  it('refuses a report signed without a timestamp, or with one older than 5 minutes (a replay)', async () => {
    gateway.accepted.length = 0;
    const id = await send('Later', [to(40)]);
    await finished(id);
    const body = { reports: [{ id: gateway.accepted[0]?.id, status: 'DELIVRD' }] };
    const raw = JSON.stringify(body);
    const old = now() - 301;
    const replayed = await hook(body, signatureOf(SECRET, old, raw), old);
    expect(replayed.status).toBe(401);
    expect(replayed.text).toContain('X-Signature-Timestamp');
    expect((await hook(body, signatureOf(SECRET, now(), raw), null)).status).toBe(401);
    expect((await hook(body, signatureOf(SECRET, now() + 301, raw), now() + 301)).status).toBe(401);
    // The timestamp is signed: a fresh one on an old signature does not pass.
    expect((await hook(body, signatureOf(SECRET, old, raw), now())).status).toBe(401);
    // The body alone signed, as before: refused.
    expect((await hook(body, `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`)).status).toBe(401);
    const message = async () => (await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', id).executeTakeFirstOrThrow()).status;
    expect(await message()).toBe('sent');
    expect((await signed(body)).status).toBe(204);
    await waitFor(async () => ((await message()) === 'delivered' ? true : undefined), 'the fresh report applied');
  });

  it('takes a post with every state, long forms and an unknown one (recorded unknown for that report alone), and the STOP in it', async () => {
    gateway.accepted.length = 0;
    gateway.answer = (messages) => gateway.acceptAll(messages);
    const phones = [to(50), to(51), to(52), to(53), to(54), to(55)];
    const id = await send('Gemengd', phones);
    await finished(id);
    const gw = new Map(gateway.accepted.map((a) => [a.to, a.id]));
    const reports = [
      { id: gw.get(to(50)), status: 'DELIVERED', error: '000', doneAt: '2026-12-01T10:15:00+01:00' },
      { id: gw.get(to(51)), status: 'UNDELIVERABLE', error: '005' },
      { id: gw.get(to(52)), status: 'ENROUTE' },
      { id: gw.get(to(53)), status: 'acceptd' },
      { id: gw.get(to(54)), status: 'BLOCKED-BY-MOON' },
      { id: gw.get(to(55)), status: 'DELETED' },
    ];
    const answer = await signed({ reports, incoming: [{ from: to(50).slice(1), text: 'STOP' }] });
    expect(answer.status).toBe(204);
    const rows = await waitFor(async () => {
      const r = await ctx.db
        .selectFrom('sms_messages as m')
        .innerJoin('sms_message_parts as p', 'p.message_id', 'm.id')
        .select(['m.phone', 'm.status', 'm.delivered_at', 'p.network_error'])
        .where('m.batch_id', '=', id)
        .orderBy('m.seq')
        .execute();
      return r.filter((m) => m.status !== 'sent').length === 4 ? r : undefined;
    }, 'the reports applied');
    expect(rows.map((r) => [r.phone, r.status, r.network_error])).toEqual([
      [to(50), 'delivered', null],
      [to(51), 'failed', '005'],
      [to(52), 'sent', null],
      [to(53), 'sent', null],
      [to(54), 'unknown', null],
      [to(55), 'failed', null],
    ]);
    expect(rows[0]?.delivered_at).toEqual(new Date('2026-12-01T09:15:00Z'));
    expect(ctx.logs.filter((l) => l.msg === 'delivery receipt unreadable: acknowledged, not applied').map((l) => [l.provider, l.reason])).toEqual([['http', 'unknown-state']]);
    const optOuts = await call<{ items: Array<{ masked: string }> }>('get', '/v1/sms/opt-outs', { auth: org.key });
    expect(optOuts.body.items.map((o) => o.masked)).toContain('+31 6 ****0050');
  });

  it('is in /openapi.json', async () => {
    const doc = await call<{ paths: Record<string, unknown> }>('get', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/hooks/sms/http');
  });
});

describe('HTTP provider answers', () => {
  const window = [{ messageId: 1, sender: 'TGG', to: to(99), text: 'x', encoding: 'gsm7' as const, segments: 1 }];
  /** Submits the window; the results it answers are the ones it had recorded. */
  const provider = (url: string, timeoutMs = 5_000) => {
    const http = createHttpProvider(ctx.configWith({ SMS_PROVIDER: 'http', SMS_HTTP_URL: url, SMS_HTTP_SECRET: SECRET }), runtime.deps, { timeoutMs });
    return {
      async submit(messages: typeof window): Promise<SubmitResult[]> {
        const recorded: SubmitResult[][] = [];
        const results = await http.submit(messages, (r) => {
          recorded.push([...r]);
          return Promise.resolve();
        });
        expect(recorded).toEqual([results]);
        return results;
      },
    };
  };

  it('retries when the connection is refused: nothing was sent', async () => {
    const closed = await startGateway();
    const url = closed.url;
    await closed.close();
    expect(await provider(url).submit(window)).toEqual([{ messageId: 1, status: 'retry', errorCode: 'not-connected' }]);
  });

  it('marks a window unknown on a timeout, a 500 and a message missing from the answer', async () => {
    const slow = await startGateway();
    try {
      slow.answer = () => ({ status: 500 });
      expect(await provider(slow.url).submit(window)).toEqual([{ messageId: 1, status: 'unknown', errorCode: 'http-500' }]);
      slow.answer = () => ({ status: 200, body: { results: [] } });
      expect(await provider(slow.url).submit(window)).toEqual([{ messageId: 1, status: 'unknown', errorCode: 'no-result' }]);
      slow.delayMs = 1_000;
      expect(await provider(slow.url, 300).submit(window)).toEqual([{ messageId: 1, status: 'unknown', errorCode: 'timeout' }]);
    } finally {
      await slow.close();
    }
  });
});
