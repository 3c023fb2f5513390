// SMS through a real SMSC on loopback (the smpp package's server): our own encoding and UDH,
// TON/NPI, receipts (also before the submit response, and hex against decimal ids), STOP
// replies, throttling, refusals, and an SMSC that goes away and comes back.
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, opsAuth, type Call, type NewOrganization } from './helpers/identity.js';
import { batches, mobile, type Batch, type Recipient } from './helpers/sms.js';
import { startSmsc, type TestSmsc } from './helpers/smsc.js';

const ctx = await createTestContext();
let smsc: TestSmsc;
let runtime: Runtime;
let call: Call;
let org: NewOrganization;

beforeAll(async () => {
  smsc = await startSmsc();
  runtime = await ctx.start({
    roles: ['web', 'sms', 'scheduler'],
    config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, RECONCILE_INTERVAL_MS: '200', SMPP_RESPONSE_TIMEOUT_MS: '3000' }),
  });
  call = caller(runtime);
  org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
});

afterAll(async () => {
  await runtime.stop();
  await smsc.close();
});

const send = (sender: string, body: string, recipients: readonly Recipient[]) => batches(call, () => org.key).submit(sender, body, recipients);
const finished = (id: string) => batches(call, () => org.key).finished(id);
const to = mobile;

describe('SMPP provider', () => {
  it('sends GSM-7, UCS-2 and concatenated texts exactly as personalised, once each', async () => {
    smsc.received.length = 0;
    const long = `${'x'.repeat(149)}{{naam}} €${'y'.repeat(10)}`;
    const id = await send('TGG', long, [{ phone: to(1), fields: { naam: 'Jan' } }]);
    const gsm = await send('TGG', 'Hallo {{naam}}, €5 korting', [{ phone: to(2), fields: { naam: 'Zoé' } }]);
    const ucs = await send('+31201234567', 'Dag {{naam}} 😀', [{ phone: to(3), fields: { naam: 'Zoë' } }]);
    await finished(id);
    await finished(gsm);
    await finished(ucs);

    const byDestination = (d: string) => smsc.received.filter((r) => r.destination === d.slice(1));
    const [single] = byDestination(to(2));
    expect(byDestination(to(2))).toHaveLength(1);
    expect(single).toMatchObject({ dataCoding: 0, esmClass: 0, sourceAddr: 'TGG', sourceTon: 5, sourceNpi: 0, registeredDelivery: 1 });
    expect(single).toMatchObject({ text: 'Hallo Zoé, €5 korting', udh: null });

    const [unicode] = byDestination(to(3));
    expect(unicode).toMatchObject({ dataCoding: 8, sourceAddr: '31201234567', sourceTon: 1, sourceNpi: 1 });
    expect(unicode).toMatchObject({ text: 'Dag Zoë 😀', udh: null });

    // 149 x + "Jan " = 153 septets: the € (an escape pair) would straddle the part boundary, so it opens part 2.
    const parts = byDestination(to(1));
    expect(parts).toHaveLength(2);
    const reference = parts[0]?.udh?.[3];
    for (const [i, part] of parts.entries()) {
      expect(part.esmClass & 0x40).toBe(0x40);
      expect(part.dataCoding).toBe(0);
      expect([...(part.udh ?? [])]).toEqual([0x05, 0x00, 0x03, reference, 2, i + 1]);
    }
    expect(parts.map((p) => p.text)).toEqual([`${'x'.repeat(149)}Jan `, `€${'y'.repeat(10)}`]);
  });

  it('applies receipts: delivered when every part is, also with hex ids and a receipt before the response', async () => {
    smsc.received.length = 0;
    let n = 0xabc000;
    smsc.answer = () => ({ status: smpp.ESME_ROK, messageId: (++n).toString(16).toUpperCase() });
    const id = await send('TGG', 'Kort bericht', [{ phone: to(10) }, { phone: to(11) }]);
    await finished(id);
    // Receipts carry the ids in decimal.
    for (const r of smsc.received) await smsc.sendReceipt(String(parseInt(r.messageId, 16)), r.destination.endsWith('10') ? 'DELIVRD' : 'UNDELIV');
    await waitFor(async () => {
      const b = await call<Batch>('get', `/v1/sms/batches/${id}`, { auth: org.key });
      return b.body.counts?.delivered === 1 && b.body.counts.failed === 1 ? b : undefined;
    }, 'delivered and failed counts');

    // A receipt that comes before submit_sm_resp: the SMSC sends it, then answers late.
    smsc.received.length = 0;
    onTestFinished(() => {
      smsc.responseDelayMs = 0;
    });
    smsc.responseDelayMs = 300;
    smsc.answer = (_s, i) => {
      const messageId = String(7_000_000 + i);
      setTimeout(() => void smsc.sendReceipt(messageId, 'DELIVRD'), 20);
      return { status: smpp.ESME_ROK, messageId };
    };
    const early = await send('TGG', 'Vroeg', [{ phone: to(12) }]);
    await waitFor(async () => {
      const b = await call<Batch>('get', `/v1/sms/batches/${early}`, { auth: org.key });
      return b.body.counts?.delivered === 1 ? b : undefined;
    }, 'the early receipt applied', 20_000);
  });

  it('writes a receipt that overtakes its window with the window, and applies a later one at once', async () => {
    smsc.received.length = 0;
    let n = 8_000_000;
    const long = 'Deel een en deel twee van een lang bericht. '.repeat(5);
    // Every part but the first of the long message is receipted at once, right behind its
    // answer; the answer to the short one for to(31) comes late, so the window stays open.
    const receipted = new Set<string>();
    smsc.answer = (submit) => {
      const messageId = String(++n);
      const lastPart = submit.udh !== null && submit.udh.at(-1) === submit.udh.at(-2);
      if (!submit.destination.endsWith('31') && !lastPart) {
        receipted.add(messageId);
        setImmediate(() => void smsc.sendReceipt(messageId, 'DELIVRD'));
      }
      return { status: smpp.ESME_ROK, messageId, delayMs: submit.destination.endsWith('31') ? 400 : 0 };
    };
    const quick = await send('TGG', 'Snel', [{ phone: to(30) }, { phone: to(31) }]);
    const parted = await send('TGG', long, [{ phone: to(32) }]);
    await finished(quick);
    await finished(parted);
    const statusOf = async (phone: string, batchId: string) =>
      (await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', batchId).where('phone', '=', phone).executeTakeFirstOrThrow()).status;
    expect(await statusOf(to(30), quick)).toBe('delivered');
    expect(await statusOf(to(31), quick)).toBe('sent');
    expect(await statusOf(to(32), parted)).toBe('sent');

    // The rest come after their windows were written: found and applied at once, no job.
    // (A part receipted already is not sent another: a copy would wait in sms_receipts.)
    const late = smsc.received.filter((r) => !receipted.has(r.messageId));
    expect(late.map((r) => r.destination.slice(-2)).sort()).toEqual(['31', '32']);
    for (const r of late) await smsc.sendReceipt(r.messageId, 'DELIVRD');
    expect(await statusOf(to(31), quick)).toBe('delivered');
    expect(await statusOf(to(32), parted)).toBe('delivered');
    const ids = smsc.received.map((r) => r.messageId);
    expect(await ctx.db.selectFrom('sms_receipts').select('id').where('smsc_id', 'in', ids).execute()).toEqual([]);
    expect(await ctx.db.selectFrom('sms_claims').select('id').execute()).toEqual([]);
  });

  it('names the SMPP status of a refused message, and retries throttled ones until they go', async () => {
    smsc.received.length = 0;
    let throttled = 0;
    smsc.answer = (submit) => {
      if (submit.destination.endsWith('0000020')) return { status: smpp.errors.ESME_RINVDSTADR ?? 0x0b };
      if (throttled < 3) {
        throttled += 1;
        return { status: smpp.ESME_RTHROTTLED };
      }
      return { status: smpp.ESME_ROK, messageId: String(Math.floor(Math.random() * 1e9)) };
    };
    const id = await send('TGG', 'Druk', [{ phone: to(20) }, { phone: to(21) }, { phone: to(22) }]);
    const batch = await finished(id);
    expect(batch.counts).toMatchObject({ sent: 2, failed: 1, unknown: 0, queued: 0 });
    const failed = await ctx.db.selectFrom('sms_messages').select(['phone', 'error_code']).where('batch_id', '=', id).where('status', '=', 'failed').execute();
    expect(failed).toEqual([{ phone: to(20), error_code: 'ESME_RINVDSTADR' }]);
    expect(smsc.received.map((r) => `+${r.destination}`).sort()).toEqual([to(21), to(22)]);
  });

  it('puts the sender of a STOP reply on the opt-out list of the organisations that sent to it', async () => {
    // This organisation sends to the number first, so the reply has someone to opt out of.
    let n = 6_000_000;
    smsc.answer = () => ({ status: smpp.ESME_ROK, messageId: String(++n) });
    await finished(await send('TGG', 'Eerst', [{ phone: to(21) }]));
    await smsc.sendIncoming(to(21), 'STOP');
    const optOuts = await waitFor(async () => {
      const answer = await call<{ items: Array<{ masked: string; source: string }> }>('get', '/v1/sms/opt-outs', { auth: org.key });
      return answer.body.items.length > 0 ? answer.body.items : undefined;
    }, 'the opt-out');
    expect(optOuts).toEqual([expect.objectContaining({ masked: '+31 6 ****0021', source: 'reply' })]);
    const again = await send('TGG', 'Nog eens', [{ phone: to(21) }, { phone: to(22) }]);
    const batch = await finished(again);
    expect(batch.counts).toMatchObject({ suppressed: 1, sent: 1 });
  });

  it('waits while the SMSC is away and sends everything when it is back, failing none', async () => {
    smsc.received.length = 0;
    smsc.answer = (_s, i) => ({ status: smpp.ESME_ROK, messageId: String(9_000_000 + i) });
    const port = smsc.port;
    await smsc.close();
    const recipients = Array.from({ length: 50 }, (_, i) => ({ phone: to(100 + i) }));
    const id = await send('TGG', 'Na de storing', recipients);
    await new Promise((r) => setTimeout(r, 1_500));
    const waiting = await call<Batch>('get', `/v1/sms/batches/${id}`, { auth: org.key });
    expect(waiting.body.counts?.sent).toBe(0);
    expect(waiting.body.counts?.failed).toBe(0);

    const back = await startSmsc(port);
    back.answer = smsc.answer;
    smsc = back;
    const batch = await finished(id);
    expect(batch.counts).toMatchObject({ sent: 50, failed: 0, unknown: 0 });
    expect(new Set(smsc.received.map((r) => r.destination)).size).toBe(50);
    expect(smsc.received).toHaveLength(50);
  });

  it('moves only the message whose id a receipt names, though another id reads the same in hex', async () => {
    smsc.received.length = 0;
    const ids = ['16', '10'];
    smsc.answer = (_s, i) => ({ status: smpp.ESME_ROK, messageId: ids[i] ?? String(50_000 + i) });
    const id = await send('TGG', 'Twee', [{ phone: to(30) }, { phone: to(31) }]);
    await finished(id);
    // "10" is also how "16" reads in hex: the exact id wins, the other message stays sent.
    await smsc.sendReceipt('10', 'UNDELIV');
    const rows = await waitFor(async () => {
      const r = await ctx.db.selectFrom('sms_messages').select(['phone', 'status']).where('batch_id', '=', id).orderBy('seq').execute();
      return r.some((m) => m.status === 'failed') ? r : undefined;
    }, 'the receipt applied');
    const sentTo = new Map(smsc.received.map((r) => [r.messageId, `+${r.destination}`]));
    expect(rows).toEqual(
      [to(30), to(31)].map((phone) => ({ phone, status: phone === sentTo.get('10') ? 'failed' : 'sent' })),
    );
  });

  it('gives a message resent by ops its new parts: their receipts deliver it, one for an old part moves nothing', async () => {
    smsc.received.length = 0;
    let n = 7_100_000;
    let refuseSecondPart = true;
    // The SMSC takes part 1 and refuses part 2 for good: the message is 'unknown' (partly accepted).
    smsc.answer = (submit) => (refuseSecondPart && submit.udh?.[5] === 2 ? { status: smpp.errors.ESME_RX_P_APPN ?? 0x65 } : { status: smpp.ESME_ROK, messageId: String(++n) });
    const id = await send('TGG', 'z'.repeat(200), [{ phone: to(40) }]);
    expect((await finished(id)).counts).toMatchObject({ unknown: 1, sent: 0 });
    const oldPart = smsc.received.find((r) => r.udh?.[5] === 1)?.messageId ?? '';

    refuseSecondPart = false;
    smsc.received.length = 0;
    const resend = await call<{ requeued: number }>('post', `/ops/sms/batches/${id}/resend-unknown`, { auth: opsAuth(ctx) });
    expect(resend.body).toEqual({ requeued: 1 });
    const status = async () => (await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', id).executeTakeFirstOrThrow()).status;
    await waitFor(async () => ((await status()) === 'sent' ? true : undefined), 'the resent message sent');
    expect(smsc.received.map((r) => r.udh?.[5])).toEqual([1, 2]);

    // The old part's receipt matches nothing now; the new parts' receipts deliver the message.
    await smsc.sendReceipt(oldPart, 'UNDELIV');
    await new Promise((r) => setTimeout(r, 500));
    expect(await status()).toBe('sent');
    for (const r of smsc.received) await smsc.sendReceipt(r.messageId, 'DELIVRD');
    await waitFor(async () => ((await status()) === 'delivered' ? true : undefined), 'the resent message delivered');
    const parts = await ctx.db.selectFrom('sms_message_parts').innerJoin('sms_messages', 'sms_messages.id', 'sms_message_parts.message_id').select(['part', 'smsc_id', 'state']).where('batch_id', '=', id).orderBy('part').execute();
    expect(parts).toEqual(smsc.received.map((r, i) => ({ part: i + 1, smsc_id: r.messageId, state: 'delivered' })));
  });
});
