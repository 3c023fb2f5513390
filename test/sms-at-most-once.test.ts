// At most once (ARCHITECTURE.md, rule 4): a worker SIGKILLed mid-batch leaves at most one window in
// 'sending'; no message reaches the SMSC twice; the rest completes when workers run again;
// the stuck window becomes 'unknown', and only a deliberate ops resend sends it again.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DUE_WORK } from '../workers/due-work.js';
import { reconcileOnce } from '../workers/core/reconciler.js';
import type { Runtime } from '../workers/runtime.js';
import { WINDOW } from '../workers/sms/send-chunk.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, opsAuth, type Call } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';
import { startSmsc, type TestSmsc } from './helpers/smsc.js';
import { killAll, spawnSmsWorker } from './helpers/sms-worker.js';

const ctx = await createTestContext();
let smsc: TestSmsc;
let web: Runtime;
let call: Call;
const children: ChildProcess[] = [];

/**
 * A short lock, so the killed worker's chunk job is taken as stalled within seconds. A pause of
 * the machine past half of it may make BullMQ run the job twice (or fail it after its second
 * stall while the first run goes on): harmless to what is asserted, since a window is claimed
 * atomically and a run that lost its lock is not aborted, so nothing is sent twice or left queued.
 */
const STALL_LOCK_MS = '2000';

function smsWorker(): ChildProcess {
  const child = spawnSmsWorker(ctx, smsc, { JOB_LOCK_MS: STALL_LOCK_MS });
  children.push(child);
  return child;
}

beforeAll(async () => {
  smsc = await startSmsc();
  smsc.responseDelayMs = 5;
  web = await ctx.start({ roles: ['web'] });
  call = caller(web);
});

afterAll(async () => {
  await killAll(children);
  await web.stop();
  await smsc.close();
});

describe('a worker killed mid-batch', () => {
  it('sends no message twice and leaves at most one window unknown', { timeout: 120_000 }, async () => {
    const org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');
    const text = 'Uw paspoort ligt klaar bij de balie';
    // The spawned workers' output is searched too (spawnSmsWorker): the text must not be in it.
    ctx.used(text, org.key);
    const recipients = Array.from({ length: 1500 }, (_, i) => ({ phone: mobile(i) }));
    const submitted = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'TGG', body: text, recipients } });
    expect(submitted.status).toBe(202);
    const batchId = submitted.body.id;

    const first = smsWorker();
    await waitFor(() => Promise.resolve(smsc.received.length >= 300), 'the first worker to be mid-batch', 30_000);
    // Hold the SMSC's answers back so the kill lands inside a window, not between two: a submit
    // that arrived after this has no answer yet, so its window is still 'sending'.
    smsc.responseDelayMs = 5_000;
    const before = smsc.received.length;
    await waitFor(async () => {
      if (smsc.received.length <= before) return false;
      const sending = await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', '=', batchId).where('status', '=', 'sending').executeTakeFirst();
      return sending !== undefined;
    }, 'a window of the first worker to be sending', 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    smsc.responseDelayMs = 5;

    const stuck = await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', '=', batchId).where('status', '=', 'sending').execute();
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck.length).toBeLessThanOrEqual(WINDOW);

    // Workers run again: the stalled chunk job runs once more, the rest completes.
    smsWorker();
    await waitFor(async () => {
      const left = await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', batchId).where('status', 'in', ['queued', 'sending']).execute();
      return left.length === stuck.length && left.every((m) => m.status === 'sending');
    }, 'every other message to be sent', 60_000);

    // The stuck window: past the timeout it becomes unknown, never sent again by itself.
    // What is left of the killed worker is one claimed window, recorded in sms_claims.
    const claims = await ctx.db.selectFrom('sms_claims').select('id').where('batch_id', '=', batchId).execute();
    expect(claims.length).toBe(1);
    await sql`UPDATE sms_claims SET claimed_at = now() - interval '1 hour' WHERE batch_id = ${batchId}`.execute(ctx.db);
    await reconcileOnce(web.deps, DUE_WORK);
    const statuses = await ctx.db.selectFrom('sms_messages').select(['status', 'phone']).where('batch_id', '=', batchId).execute();
    const unknown = statuses.filter((s) => s.status === 'unknown');
    expect(unknown.length).toBe(stuck.length);
    expect(statuses.filter((s) => s.status === 'sent').length).toBe(1500 - unknown.length);

    const destinations = smsc.received.map((r) => r.destination);
    expect(new Set(destinations).size).toBe(destinations.length);

    // Ops resend the unknown ones on purpose.
    const resend = await call<{ requeued: number }>('post', `/ops/sms/batches/${batchId}/resend-unknown`, { auth: opsAuth(ctx) });
    expect(resend.status, JSON.stringify(resend.body)).toBe(200);
    expect(resend.body).toEqual({ requeued: unknown.length });
    await waitFor(async () => {
      const batch = await call<{ status: string; counts: Record<string, number> }>('get', `/v1/sms/batches/${batchId}`, { auth: org.key });
      return batch.body.status === 'completed' && batch.body.counts.sent === 1500 ? batch : undefined;
    }, 'the resent messages', 30_000);
    expect(new Set(smsc.received.map((r) => r.destination)).size).toBe(1500);
  });
});
