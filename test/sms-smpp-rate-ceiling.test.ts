// Issue 16: SMS_RATE is a ceiling across every session of every worker process, and
// SMPP_SESSION_RATE caps each session. Read at the SMSC: the submits of a run, and of each
// bind, never come faster than the rate allows. Only an upper bound is checked, with two
// seconds of slack (a second's worth of tokens saved up, and the test process reading late),
// so a loaded machine can only make it pass more easily; a ceiling per process instead of a
// shared one sends twice as fast and fails it.
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { batches, mobile } from './helpers/sms.js';
import type { RecordedSubmit } from './helpers/smsc.js';
import { killAll, spawnSmsWorker, spawnedWorkersRig } from './helpers/sms-worker.js';

const ctx = await createTestContext();
const { smsc, call, org, children } = await spawnedWorkersRig(ctx, 'Gemeente Tempo');

const SLACK_S = 2;

/** The most submits `rate` a second allows between the first and the last of `submits`. */
function allowed(submits: readonly RecordedSubmit[], rate: number): number {
  const times = submits.map((s) => s.at);
  return rate * ((Math.max(...times) - Math.min(...times)) / 1000 + SLACK_S);
}

async function submitBatches(count: number, size: number, first: number): Promise<string[]> {
  const sms = batches(call, () => org.key);
  const ids: string[] = [];
  for (let b = 0; b < count; b++) ids.push(await sms.submit('TGG', 'Herinnering', Array.from({ length: size }, (_, i) => ({ phone: mobile(first + b * size + i) }))));
  return ids;
}

async function allSent(ids: readonly string[], timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const left = await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', 'in', ids).where('status', 'in', ['queued', 'sending']).executeTakeFirst();
    return left === undefined;
  }, 'every message sent', timeoutMs);
}

describe('SMS_RATE', () => {
  it('holds across two worker processes: together they send no faster than the rate', { timeout: 180_000 }, async () => {
    smsc.received.length = 0;
    const RATE = 20;
    for (let i = 0; i < 2; i++) children.push(spawnSmsWorker(ctx, smsc, { SMS_RATE: String(RATE) }));
    await waitFor(() => Promise.resolve(smsc.sessions() === 2), 'both workers bound', 90_000);
    const ids = await submitBatches(4, 50, 0);
    await allSent(ids, 120_000);
    await killAll(children);

    const submits = smsc.received;
    expect(submits).toHaveLength(200);
    // Both processes sent: the ceiling was shared, not met by one process alone.
    const perBind = [...new Set(submits.map((s) => s.session))];
    expect(perBind).toHaveLength(2);
    for (const bind of perBind) expect(submits.filter((s) => s.session === bind).length, `bind ${bind}`).toBeGreaterThan(20);
    expect(submits.length).toBeLessThanOrEqual(allowed(submits, RATE));
  });
});

describe('SMPP_SESSION_RATE', () => {
  it('caps each session, also the one the others leave all the traffic to', { timeout: 180_000 }, async () => {
    smsc.received.length = 0;
    const SESSION_RATE = 4;
    // Two of the three binds answer after 2.5 s: the submits they hold make them look busy, so
    // the session with the fewest in flight is mostly the fast one, about twice its rate
    // without a cap of its own (the process's bucket allows the three sessions' sum).
    let fastBind = 0;
    smsc.answer = (_submit, n, session) => ({ status: 0, messageId: String(9_000_000 + n), delayMs: session === fastBind ? 0 : 2_500 });
    const worker = await ctx.start({
      roles: ['sms'],
      config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_SESSIONS: '3', SMPP_SESSION_RATE: String(SESSION_RATE), SMPP_WINDOW: '50', WORKER_CONCURRENCY: '4' }),
    });
    try {
      await waitFor(() => Promise.resolve(smsc.sessions() === 3), 'three sessions bound', 30_000);
      // Binds are numbered in the order they came: this worker's are the last three.
      fastBind = smsc.binds.length - 2;
      // Four chunks side by side: a window waiting for the slow binds does not hold the others back.
      const ids = await submitBatches(4, 24, 1_000);
      await allSent(ids, 120_000);

      const submits = smsc.received;
      expect(submits).toHaveLength(96);
      const binds = [...new Set(submits.map((s) => s.session))];
      const onBind = (bind: number) => submits.filter((s) => s.session === bind);
      // The fast bind took the most: it is the one a missing per-session cap would let run over.
      expect(binds.sort((a, b) => onBind(b).length - onBind(a).length)[0]).toBe(fastBind);
      for (const bind of binds) expect(onBind(bind).length, `bind ${bind}`).toBeLessThanOrEqual(allowed(onBind(bind), SESSION_RATE));
      // And the process as a whole: the sessions' rates added up.
      expect(submits.length).toBeLessThanOrEqual(allowed(submits, SESSION_RATE * 3));
    } finally {
      await worker.stop();
    }
  });
});
