// STOP the Dutch way through the HTTP gateway's hook (issue 11, items 11, 12, 13 and 15): the
// same reading as SMPP's (workers/sms/incoming.ts) for national numbers, TON, parts of a long
// reply and replies that are not a stop word.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, type Call, type NewOrganization, type ProblemBody } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';
import { startGateway, type TestGateway } from './helpers/sms-gateway.js';
import { postToHook } from './helpers/sms-hook.js';

const SECRET = 'test-gateway-hook-secret-0123456789abcdef';
const ctx = await createTestContext();
let gateway: TestGateway;
let runtime: Runtime;
let call: Call;
let org: NewOrganization;
let other: NewOrganization;

beforeAll(async () => {
  gateway = await startGateway();
  runtime = await ctx.start({
    roles: ['web', 'sms', 'scheduler'],
    config: ctx.configWith({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_SECRET: SECRET, RECONCILE_INTERVAL_MS: '200' }),
  });
  call = caller(runtime);
  org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
  other = await newOrganization(call, ctx, 'Kapsalon Zuid');
});

afterAll(async () => {
  await runtime.stop();
  await gateway.close();
});

async function hook(body: unknown): Promise<{ status: number; body: ProblemBody | undefined }> {
  const response = await postToHook(runtime, SECRET, body);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as ProblemBody) : undefined };
}

async function maskedOptOuts(): Promise<string[]> {
  const answer = await call<{ items: Array<{ masked: string }> }>('get', '/v1/sms/opt-outs', { auth: org.key });
  return answer.body.items.map((o) => o.masked).sort();
}
const masked = (e164: string) => `+31 6 ****${e164.slice(-4)}`;

describe('incoming SMS on the HTTP hook', () => {
  it('reads national and 00-numbers and the TON, and puts parts together before reading', async () => {
    gateway.answer = (messages) => gateway.acceptAll(messages);
    const n = (i: number) => mobile(500 + i);
    const id = await batches(call, () => org.key).submit('Gemeente', 'Hallo', Array.from({ length: 5 }, (_, i) => ({ phone: n(i) })));
    await batches(call, () => org.key).finished(id);
    expect(
      (
        await hook({
          incoming: [
            { from: `0${n(0).slice(3)}`, text: 'STOP' },
            { from: `00${n(1).slice(1)}`, text: 'Stoppen.' },
            { from: n(2).slice(3), ton: 2, text: 'afmelden' },
            { from: n(3).slice(1), text: 'ST', concat: { ref: 300, total: 2, seq: 1 } },
            { from: 'Gemeente', ton: 5, text: 'STOP' },
          ],
        })
      ).status,
    ).toBe(204);
    expect(await maskedOptOuts()).toEqual([n(0), n(1), n(2)].map(masked));
    expect((await hook({ incoming: [{ from: n(3).slice(1), text: 'OP', concat: { ref: 300, total: 2, seq: 2 } }] })).status).toBe(204);
    expect(await maskedOptOuts()).toEqual([n(0), n(1), n(2), n(3)].map(masked));

    // Each confirmed once, through the gateway.
    const confirmed = await waitFor(() => {
      const sent = gateway.requests.flatMap((r) => r.messages).filter((m) => m.text.startsWith('U bent afgemeld'));
      return Promise.resolve(sent.length === 4 ? sent : undefined);
    }, 'four confirmations at the gateway');
    expect(confirmed.map((m) => m.to).sort()).toEqual([n(0), n(1), n(2), n(3)].sort());
  });

  it('stores a reply for the organisation that texted the number, and no other', async () => {
    const n = mobile(500);
    expect((await hook({ incoming: [{ from: `0${n.slice(3)}`, text: 'Bedankt!' }] })).status).toBe(204);
    const replies = await call<{ items: Array<{ phone: string; text: string; index: number }> }>('get', '/v1/sms/replies', { auth: org.key });
    expect(replies.body.items).toEqual([expect.objectContaining({ phone: n, text: 'Bedankt!', index: 0 })]);
    expect((await call<{ items: unknown[] }>('get', '/v1/sms/replies', { auth: other.key })).body.items).toEqual([]);
  });

  // Issue 16: the plain replies of a post are stored in one statement, callbacks with them.
  it('stores the plain replies of one post together, in order, with their callbacks, beside a STOP', async () => {
    const numbers = [mobile(700), mobile(701), mobile(702)];
    const id = await batches(call, () => org.key).submit('Gemeente', 'Hoe was uw bezoek?', numbers.map((phone) => ({ phone })));
    await batches(call, () => org.key).finished(id);
    // As if it had been submitted with a callbackUrl (test addresses are not public).
    await ctx.db.updateTable('sms_batches').set({ callback_url: 'https://example.nl/sms', reference: 'enquete' }).where('id', '=', id).execute();
    const before = await ctx.db.selectFrom('sms_callbacks').select('id').where('batch_id', '=', id).execute();
    const post = await hook({
      incoming: [
        { from: numbers[0], text: 'Goed' },
        { from: 'NotANumber', text: 'x' },
        { from: numbers[1], text: 'STOP' },
        { from: numbers[2], text: 'Prima' },
        { from: mobile(799), text: 'Wie is dit?' },
        { from: numbers[0], text: 'Nog iets' },
      ],
    });
    expect(post.status).toBe(204);
    const stored = await ctx.db.selectFrom('sms_replies').select(['id', 'phone', 'text', 'message_seq']).where('batch_id', '=', id).orderBy('id').execute();
    expect(stored.map((r) => [r.phone, r.text, r.message_seq])).toEqual([
      [numbers[0], 'Goed', 0],
      [numbers[2], 'Prima', 2],
      [numbers[0], 'Nog iets', 0],
    ]);
    const callbacks = await ctx.db.selectFrom('sms_callbacks').select(['id', 'payload']).where('batch_id', '=', id).orderBy('id').execute();
    expect(callbacks.slice(before.length).map((c) => c.payload)).toEqual(stored.map((r) => ({ type: 'messages.reply', batchId: id, reference: 'enquete', replyId: Number(r.id) })));
    expect(await maskedOptOuts()).toContain(masked(numbers[1] ?? ''));
  });

  it('refuses a part outside its count, naming the field', async () => {
    const answer = await hook({ incoming: [{ from: '0612345678', text: 'x', concat: { ref: 1, total: 2, seq: 0 } }] });
    expect(answer.status).toBe(400);
    expect(answer.body?.errors?.[0]?.field).toMatch(/^body\.incoming\.0\.concat\.seq/);
  });
});
