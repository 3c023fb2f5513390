// SMPP_SESSIONS=3 against the test SMSC: windows spread over the three binds, receipts taken
// on a session other than the submit's, and one session cut mid-batch: its traffic moves to
// the others, what it had written without an answer is 'unknown' (never sent again), and no
// message reaches the SMSC twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, type Call, type NewOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';
import { startSmsc, type TestSmsc } from './helpers/smsc.js';

const ctx = await createTestContext();
let smsc: TestSmsc;
let runtime: Runtime;
let call: Call;
let org: NewOrganization;
const WINDOW = 10;

beforeAll(async () => {
  smsc = await startSmsc();
  runtime = await ctx.start({
    roles: ['web', 'sms', 'scheduler'],
    config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_SESSIONS: '3', SMPP_WINDOW: String(WINDOW), WORKER_CONCURRENCY: '4', SMPP_RESPONSE_TIMEOUT_MS: '3000' }),
  });
  call = caller(runtime);
  org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
  await waitFor(() => Promise.resolve(smsc.sessions() === 3), 'three sessions bound');
});

afterAll(async () => {
  await runtime.stop();
  await smsc.close();
});

describe('three SMPP sessions', () => {
  it('sends a window that fits in one session\'s SMPP_WINDOW on that session alone (one write, not a third on each)', { timeout: 30_000 }, async () => {
    smsc.submitsBySession.clear();
    smsc.responseDelayMs = 20;
    const count = WINDOW - 2;
    const id = await batches(call, () => org.key).submit('TGG', 'Eén venster', Array.from({ length: count }, (_, i) => ({ phone: mobile(5_000 + i) })));
    await waitFor(async () => {
      const rows = await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', id).execute();
      return rows.length === count && rows.every((r) => r.status === 'sent');
    }, 'the window sent');
    expect([...smsc.submitsBySession.values()]).toEqual([count]);
    smsc.responseDelayMs = 0;
  });

  it('spreads a batch over them, matches receipts from any, and moves the traffic of a cut session to the others', { timeout: 60_000 }, async () => {
    smsc.received.length = 0;
    smsc.receiptsElsewhere = true;
    smsc.responseDelayMs = 20;
    const count = 900;
    const id = await batches(call, () => org.key).submit('TGG', 'Uw afspraak', Array.from({ length: count }, (_, i) => ({ phone: mobile(i) })));
    await waitFor(() => Promise.resolve(smsc.received.length >= 200), 'a third of the batch sent', 30_000);
    const beforeCut = new Map(smsc.submitsBySession);
    await smsc.dropSession(0);
    const cutAt = smsc.received.length;

    const statuses = await waitFor(async () => {
      const rows = await ctx.db.selectFrom('sms_messages').select(['status', 'phone']).where('batch_id', '=', id).execute();
      return rows.every((r) => r.status === 'delivered' || r.status === 'unknown') ? rows : undefined;
    }, 'every message delivered or unknown', 40_000);

    // Windows went on every session before the cut.
    expect([...beforeCut.keys()].sort()).toEqual([1, 2, 3]);
    for (const n of beforeCut.values()) expect(n).toBeGreaterThan(20);
    // After it the rest went out on the others (and the session bound again).
    expect(smsc.received.length).toBeGreaterThan(cutAt);
    // At most once: no number reached the SMSC twice.
    const destinations = smsc.received.map((r) => r.destination);
    expect(new Set(destinations).size).toBe(destinations.length);
    // What the cut session had written without an answer is unknown: at most its window.
    const unknown = statuses.filter((r) => r.status === 'unknown');
    expect(unknown.length).toBeLessThanOrEqual(WINDOW);
    const received = new Set(destinations);
    for (const r of unknown) expect(received.has(r.phone!.slice(1))).toBe(true);
    // Every other message was delivered by a receipt that came on another session than its submit.
    expect(statuses.filter((r) => r.status === 'delivered')).toHaveLength(count - unknown.length);
    smsc.receiptsElsewhere = false;
    smsc.responseDelayMs = 0;
  });
});
