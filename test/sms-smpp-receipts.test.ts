// Delivery receipts as real SMSCs send them, against the test SMSC: the text in short_message or
// in the message_payload TLV, in deliver_sm or data_sm, long stat words, `id: ` with a space,
// hex for decimal ids, the TLVs (which win over the text), non-final states, the network's
// done date and error code; a part's first final state kept; receipts we cannot read; and a
// deliver_sm that cannot be stored.
import { sql } from 'kysely';
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, opsAuth, type Call, type NewOrganization } from './helpers/identity.js';
import { batches, mobile as to } from './helpers/sms.js';
import { receiptText, startSmsc, type TestSmsc } from './helpers/smsc.js';

const ESME_RX_T_APPN = 0x64;
const RECEIPT = 0x04;

const ctx = await createTestContext();
let smsc: TestSmsc;
let runtime: Runtime;
let call: Call;
let org: NewOrganization;
let counter = 40_000_000;

beforeAll(async () => {
  smsc = await startSmsc();
  smsc.answer = () => ({ status: smpp.ESME_ROK, messageId: String(++counter) });
  runtime = await ctx.start({
    roles: ['web', 'sms', 'scheduler'],
    config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, RECONCILE_INTERVAL_MS: '200' }),
  });
  call = caller(runtime);
  org = await newOrganization(call, ctx, 'Gemeente Ontvangst');
});

afterAll(async () => {
  await runtime.stop();
  await smsc.close();
});

/** Sends one short message to each number; the SMSC's id for each, by number. */
async function sendTo(phones: readonly string[]): Promise<{ batchId: string; idOf: (phone: string) => string }> {
  smsc.received.length = 0;
  const b = batches(call, () => org.key);
  const batchId = await b.submit('TGG', 'Bezorgd?', phones.map((phone) => ({ phone })));
  await b.finished(batchId);
  const ids = new Map(smsc.received.map((r) => [`+${r.destination}`, r.messageId]));
  return { batchId, idOf: (phone) => ids.get(phone) ?? '' };
}

async function messages(batchId: string) {
  const rows = await ctx.db
    .selectFrom('sms_messages as m')
    .innerJoin('sms_message_parts as p', 'p.message_id', 'm.id')
    .select(['m.phone', 'm.status', 'm.delivered_at', 'p.state', 'p.network_error', 'p.done_at'])
    .where('m.batch_id', '=', batchId)
    .orderBy('m.seq')
    .execute();
  return new Map(rows.map((r) => [r.phone ?? '', r]));
}

async function until(batchId: string, done: (rows: Awaited<ReturnType<typeof messages>>) => boolean, what: string) {
  return waitFor(async () => {
    const rows = await messages(batchId);
    return done(rows) ? rows : undefined;
  }, what);
}

describe('SMPP delivery receipts', () => {
  it('reads every form: long stat words, id with a space, message_payload, data_sm, TLVs over text, hex ids', async () => {
    const phones = Array.from({ length: 9 }, (_, i) => to(1 + i));
    const { batchId, idOf } = await sendTo(phones);
    const id = (n: number) => idOf(to(n));
    const answers = [
      // The long form, and the network's done date (YYMMDDhhmm) as delivered_at.
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(1), 'DELIVERED', { done: '2612010930' }) }),
      // "id: " with a space; the long UNDELIVERABLE; the err code kept.
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(2), 'UNDELIVERABLE', { idField: 'id: ', err: '005' }) }),
      // The text in message_payload, short_message empty; seconds in the done date.
      await smsc.deliver({ esm_class: RECEIPT, short_message: '', message_payload: receiptText(id(3), 'DELIVRD', { done: '261201093107' }) }),
      // data_sm, the text in message_payload: answered with data_sm_resp.
      await smsc.deliver({ esm_class: RECEIPT, message_payload: receiptText(id(4), 'DELIVRD') }, 'data_sm'),
      // The TLVs only: receipted_message_id and message_state 2 (DELIVERED).
      await smsc.deliver({ esm_class: RECEIPT, short_message: '', receipted_message_id: id(5), message_state: 2 }),
      // message_state 5 (UNDELIVERABLE) and network_error_code (GSM, 34) win over the text.
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(6), 'DELIVRD'), receipted_message_id: id(6), message_state: 5, network_error_code: Buffer.from([3, 0, 34]) }),
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(7), 'DELETED') }),
      // The decimal id the SMSC gave, in hex.
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(BigInt(id(8)).toString(16).toUpperCase(), 'EXPIRED') }),
      // Not final: taken, nothing changes; the final one after them does.
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(9), 'ENROUTE') }),
      await smsc.deliver({ esm_class: 0x20, receipted_message_id: id(9), message_state: 6 }, 'data_sm'),
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(9), 'ACCEPTD') }),
    ];
    expect(answers).toEqual(answers.map(() => smpp.ESME_ROK));
    const notFinal = await until(batchId, (rows) => [1, 2, 3, 4, 5, 6, 7, 8].every((n) => rows.get(to(n))?.state !== 'submitted'), 'the final receipts applied');
    expect(notFinal.get(to(9))).toMatchObject({ status: 'sent', state: 'submitted', delivered_at: null });

    await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(id(9), 'REJECTED') });
    const rows = await until(batchId, (r) => r.get(to(9))?.state === 'rejected', 'the last receipt applied');
    const summary = phones.map((phone) => {
      const r = rows.get(phone);
      return [r?.status, r?.state, r?.network_error];
    });
    expect(summary).toEqual([
      ['delivered', 'delivered', null],
      ['failed', 'undeliverable', '005'],
      ['delivered', 'delivered', null],
      ['delivered', 'delivered', null],
      ['delivered', 'delivered', null],
      ['failed', 'undeliverable', '034'],
      ['failed', 'undeliverable', null],
      ['expired', 'expired', null],
      ['failed', 'rejected', null],
    ]);
    expect(rows.get(to(1))?.delivered_at).toEqual(new Date('2026-12-01T09:30:00Z'));
    expect(rows.get(to(3))?.delivered_at).toEqual(new Date('2026-12-01T09:31:07Z'));
    expect(rows.get(to(2))?.done_at).toEqual(new Date('2026-11-28T12:01:00Z'));
    // No done date (the TLVs only): the time it was processed.
    expect(Math.abs((rows.get(to(5))?.delivered_at?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("keeps the done date and error code of a receipt that overtakes its own window's results", async () => {
    onTestFinished(() => {
      smsc.answer = () => ({ status: smpp.ESME_ROK, messageId: String(++counter) });
    });
    smsc.answer = (submit) => {
      const messageId = String(++counter);
      const stat = submit.destination.endsWith('31') ? 'DELIVRD' : 'UNDELIV';
      setImmediate(() => void smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(messageId, stat, { done: '2612020800', err: '011' }) }));
      return { status: smpp.ESME_ROK, messageId };
    };
    const { batchId } = await sendTo([to(31), to(32)]);
    const rows = await until(batchId, (r) => [...r.values()].every((m) => m.state !== 'submitted'), 'both receipts applied');
    expect(rows.get(to(31))).toMatchObject({ status: 'delivered', delivered_at: new Date('2026-12-02T08:00:00Z'), network_error: '011' });
    expect(rows.get(to(32))).toMatchObject({ status: 'failed', delivered_at: null, done_at: new Date('2026-12-02T08:00:00Z'), network_error: '011' });
  });

  it('acknowledges a receipt it cannot read, logs and counts why (no text, no number), and applies nothing', async () => {
    const { batchId, idOf } = await sendTo([to(20)]);
    const receiptsBefore = await ctx.db.selectFrom('sms_receipts').select('id').orderBy('id').execute();
    const answers = [
      await smsc.deliver({ esm_class: RECEIPT, short_message: 'sub:001 dlvrd:001 stat:DELIVRD err:000 text:Geheim' }),
      await smsc.deliver({ esm_class: RECEIPT, short_message: `id:${idOf(to(20))} sub:001 dlvrd:001 err:000 text:Geheim` }),
      await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(idOf(to(20)), 'WIBBLED') }),
      await smsc.deliver({ esm_class: RECEIPT, short_message: '', receipted_message_id: idOf(to(20)), message_state: 12 }),
    ];
    expect(answers).toEqual([0, 0, 0, 0]);
    const lines = ctx.logs.filter((l) => l.msg === 'delivery receipt unreadable: acknowledged, not applied');
    expect(lines.map((l) => [l.provider, l.reason])).toEqual([
      ['smpp', 'no-id'],
      ['smpp', 'no-state'],
      ['smpp', 'unknown-state'],
      ['smpp', 'unknown-state'],
    ]);
    expect(JSON.stringify(ctx.logs)).not.toMatch(/Geheim|WIBBLED|31610000020/);
    const metrics = await call<string>('get', '/metrics', { auth: opsAuth(ctx) });
    expect(metrics.body).toContain('tgg_sms_receipts_unreadable_total{provider="smpp",reason="no-id"} 1');
    expect(metrics.body).toContain('tgg_sms_receipts_unreadable_total{provider="smpp",reason="no-state"} 1');
    expect(metrics.body).toContain('tgg_sms_receipts_unreadable_total{provider="smpp",reason="unknown-state"} 2');

    await new Promise((r) => setTimeout(r, 500));
    expect(await ctx.db.selectFrom('sms_receipts').select('id').orderBy('id').execute()).toEqual(receiptsBefore);
    expect((await messages(batchId)).get(to(20))).toMatchObject({ status: 'sent', state: 'submitted' });
  });

  it("keeps a part's first final state: a copy of its receipt finds no part and waits; one after UNKNOWN still settles it", async () => {
    const { batchId, idOf } = await sendTo([to(41), to(42)]);
    expect(await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(idOf(to(41)), 'DELIVRD', { done: '2612030900' }) })).toBe(smpp.ESME_ROK);
    expect(await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(idOf(to(42)), 'UNKNOWN') })).toBe(smpp.ESME_ROK);
    await until(batchId, (r) => r.get(to(41))?.state === 'delivered' && r.get(to(42))?.state === 'unknown', 'the first receipts applied');

    // A copy that contradicts the first (an SMSC resending after a lost deliver_sm_resp): the
    // delivered part is indexed no more, so the copy is stored for the apply job, not applied.
    expect(await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(idOf(to(41)), 'UNDELIV', { err: '005' }) })).toBe(smpp.ESME_ROK);
    // An unknown part can still be settled by a later receipt.
    expect(await smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(idOf(to(42)), 'DELIVRD', { done: '2612030905' }) })).toBe(smpp.ESME_ROK);
    const rows = await until(batchId, (r) => r.get(to(42))?.state === 'delivered', 'the receipt after UNKNOWN applied');
    expect(rows.get(to(41))).toMatchObject({ status: 'delivered', state: 'delivered', network_error: null, delivered_at: new Date('2026-12-03T09:00:00Z') });
    expect(rows.get(to(42))).toMatchObject({ status: 'delivered', state: 'delivered', delivered_at: new Date('2026-12-03T09:05:00Z') });
    const copies = await ctx.db.selectFrom('sms_receipts').select(['stat', 'applied_at']).where('smsc_id', '=', idOf(to(41))).execute();
    expect(copies).toEqual([{ stat: 'UNDELIV', applied_at: null }]);
  });

  it('answers ESME_RX_T_APPN to a deliver_sm or data_sm it cannot store, so the SMSC retries, and takes the retry', async () => {
    // The store fails for real: the table the receipt goes to is gone.
    await sql`ALTER TABLE sms_receipts RENAME TO sms_receipts_away`.execute(ctx.db);
    let away = true;
    onTestFinished(async () => {
      if (away) await sql`ALTER TABLE sms_receipts_away RENAME TO sms_receipts`.execute(ctx.db);
    });
    const receipt = { esm_class: RECEIPT, short_message: receiptText('ffee0001', 'DELIVRD') };
    expect(await smsc.deliver(receipt)).toBe(ESME_RX_T_APPN);
    expect(await smsc.deliver({ esm_class: RECEIPT, message_payload: receipt.short_message }, 'data_sm')).toBe(ESME_RX_T_APPN);
    expect(ctx.logs.some((l) => l.msg === 'deliver_sm not stored; answered ESME_RX_T_APPN' && l.command === 'data_sm')).toBe(true);

    await sql`ALTER TABLE sms_receipts_away RENAME TO sms_receipts`.execute(ctx.db);
    away = false;
    expect(await smsc.deliver(receipt)).toBe(smpp.ESME_ROK);
    const stored = await ctx.db.selectFrom('sms_receipts').select(['stat', 'done_at']).where('smsc_id', '=', 'ffee0001').execute();
    expect(stored).toEqual([{ stat: 'DELIVRD', done_at: new Date('2026-11-28T12:01:00Z') }]);
  });
  it("acknowledges a receipt that overtakes its window only once the window is written, or once stored when that write fails", async () => {
    const b = batches(call, () => org.key);
    /** Sends to(n) and to(n + 1) in one window: to(n)'s receipt comes at once, to(n + 1)'s answer 500 ms late. */
    async function overtaking(n: number, asLateAnswerGoes: () => void) {
      let answeredAt = Number.POSITIVE_INFINITY;
      let early: Promise<{ status: number; at: number }> | undefined;
      smsc.answer = (submit) => {
        const messageId = String(++counter);
        if (`+${submit.destination}` === to(n)) {
          early = new Promise((resolve) =>
            setImmediate(() => void smsc.deliver({ esm_class: RECEIPT, short_message: receiptText(messageId, 'DELIVRD') }).then((status) => resolve({ status, at: Date.now() }))),
          );
          return { status: smpp.ESME_ROK, messageId };
        }
        asLateAnswerGoes();
        answeredAt = Date.now() + 500;
        return { status: smpp.ESME_ROK, messageId, delayMs: 500 };
      };
      const batchId = await b.submit('TGG', 'Bezorgd?', [{ phone: to(n) }, { phone: to(n + 1) }]);
      await waitFor(async () => early, 'the early receipt sent');
      const answer = await early!;
      // Never before the window's results (or their failure) were known: they wait for the late answer.
      expect(answer.at).toBeGreaterThanOrEqual(answeredAt);
      return { batchId, status: answer.status };
    }
    try {
      const written = await overtaking(81, () => undefined);
      expect(written.status).toBe(smpp.ESME_ROK);
      const rows = await until(written.batchId, (r) => r.size === 2, 'the window written');
      expect(rows.get(to(81))).toMatchObject({ status: 'delivered', state: 'delivered' });

      // The window's write fails (its claim's table is gone as the late answer comes): the
      // receipt is stored the usual way, and acknowledged once it is.
      let renamed: Promise<unknown> | undefined;
      onTestFinished(async () => {
        await renamed;
        await sql`ALTER TABLE IF EXISTS sms_claims_away RENAME TO sms_claims`.execute(ctx.db);
      });
      const failed = await overtaking(83, () => void (renamed ??= sql`ALTER TABLE sms_claims RENAME TO sms_claims_away`.execute(ctx.db)));
      expect(failed.status).toBe(smpp.ESME_ROK);
      const stored = await ctx.db.selectFrom('sms_receipts').select('stat').where('smsc_id', '=', String(counter - 1)).execute();
      expect(stored).toEqual([{ stat: 'DELIVRD' }]);
    } finally {
      smsc.answer = () => ({ status: smpp.ESME_ROK, messageId: String(++counter) });
    }
  });
});
