// Under SMS_RATE a window's tokens are taken before it is claimed: a worker SIGKILLed while it
// waits for them leaves nothing in 'sending' that never reached the SMSC. And a cancel that
// commits while a window waits for its tokens keeps all of that window from the SMSC.
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { batches, mobile } from './helpers/sms.js';
import { killAll, spawnSmsWorker, spawnedWorkersRig } from './helpers/sms-worker.js';

const ctx = await createTestContext();
const { smsc, call, org, children } = await spawnedWorkersRig(ctx, 'Gemeente Voorbeeld');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const messages = (batchId: string) => ctx.db.selectFrom('sms_messages').select(['status', 'phone']).where('batch_id', '=', batchId).execute();
const reached = () => new Set(smsc.received.map((r) => `+${r.destination}`));

describe('sending under SMS_RATE', () => {
  it('leaves nothing in sending that never left when the worker is killed while it waits for tokens', { timeout: 90_000 }, async () => {
    smsc.received.length = 0;
    const batchId = await batches(call, () => org.key).submit('TGG', 'Bericht', Array.from({ length: 60 }, (_, i) => ({ phone: mobile(i) })));
    // 3 a second: windows of 3 messages, each waiting about a second for its tokens.
    const worker = spawnSmsWorker(ctx, smsc, { SMS_RATE: '3' });
    children.push(worker);
    await waitFor(() => Promise.resolve(smsc.received.length >= 9), 'three windows sent', 60_000);
    // The SMSC answers at once, so the worker spends nearly all its time waiting for tokens.
    await sleep(400);
    await killAll([worker]);

    const rows = await messages(batchId);
    const sent = reached();
    const inDoubt = rows.filter((r) => r.status === 'sending');
    // Whatever is still 'sending' did reach the SMSC: nothing claimed was left waiting.
    for (const r of inDoubt) expect(sent.has(r.phone!)).toBe(true);
    expect(rows.filter((r) => r.status === 'queued').length).toBeGreaterThan(0);
  });

  it('sends nothing of a window that waits for its tokens when the batch is cancelled meanwhile', { timeout: 60_000 }, async () => {
    smsc.received.length = 0;
    const runtime = await ctx.start({ roles: ['sms'], config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMS_RATE: '2' }) });
    try {
      const batchId = await batches(call, () => org.key).submit('TGG', 'Tot morgen', Array.from({ length: 30 }, (_, i) => ({ phone: mobile(1_000 + i) })));
      await waitFor(() => Promise.resolve(smsc.received.length >= 4), 'two windows sent', 30_000);
      const cancel = await call('post', `/v1/sms/batches/${batchId}/cancel`, { auth: org.key });
      expect(cancel.status).toBeLessThan(300);
      const atCancel = smsc.received.length;
      // Until the window on the wire is written back and the chunk has cancelled what it held (a
      // second or two; longer on a loaded machine), then a moment for anything sent after it.
      await waitFor(async () => (await messages(batchId)).every((r) => r.status !== 'queued' && r.status !== 'sending'), 'the cancel to settle', 30_000);
      await sleep(1_000);

      const rows = await messages(batchId);
      const sent = reached();
      // No cancelled message reached the SMSC, and at most the window on the wire as the cancel committed went after it.
      for (const r of rows.filter((m) => m.status === 'cancelled')) expect(sent.has(r.phone!)).toBe(false);
      expect(smsc.received.length - atCancel).toBeLessThanOrEqual(2);
      expect(rows.filter((r) => r.status === 'cancelled').length).toBeGreaterThan(20);
      expect(rows.filter((r) => r.status === 'queued' || r.status === 'sending')).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});
