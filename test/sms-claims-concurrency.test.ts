// The claim and the record of the send path under contention: several claimers on one chunk
// (a stalled job and its retry), throttled messages queued again, and a member cancelling the
// batch half-way. No deadlock (each claimer and the cancel finish), no message taken twice,
// none claimed after the cancel, nothing left 'queued', 'sending' or claimed. Claiming the next window in the statement that
// recorded the last one deadlocked against the cancel; a claim that waited on locked rows
// deadlocked against another claimer.
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/database.js';
import type { Job } from 'bullmq';
import { sendChunk } from '../workers/sms/send-chunk.js';
import { cancelQueued, claimWindow, writeOutcomes, type MessageOutcome } from '../workers/sms/store.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
// The web role only: the batch stays queued for the claimers below.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Stichting Wachtrij');
// A connection per claimer, as separate jobs have.
const db = createDb(ctx.config.databaseUrl, { max: 8 });
afterAll(() => db.destroy());

const CLAIMERS = 6;
const WINDOW = 50;
const RECIPIENTS = 4_000; // claimed as one range

describe('claiming windows', () => {
  it('lets six claimers, throttling and a cancel meet on one chunk without a deadlock or a message taken twice', async () => {
    const batchId = await batches(call, () => org.key).submit('TGG', 'Beste klant', Array.from({ length: RECIPIENTS }, (_, i) => ({ phone: mobile(i) })));
    const taken = new Map<number, number>();
    let recorded = 0;
    let cancelled = false;
    const claimedAfterCancel: number[] = [];
    let cancelAfter: () => void = () => undefined;
    const halfway = new Promise<void>((resolve) => (cancelAfter = resolve));

    async function claimer(seed: number): Promise<void> {
      let cursor = 0;
      for (let round = 0; ; round++) {
        const afterCancel = cancelled;
        const window = await claimWindow(db, { batchId, from: cursor, to: RECIPIENTS, size: WINDOW });
        if (afterCancel) claimedAfterCancel.push(...window.messages.map((m) => m.id));
        if (window.messages.length === 0) {
          if (cursor === 0) return;
          cursor = 0;
          continue;
        }
        cursor = window.lastSeq + 1;
        // Every seventh message (by id and round) is throttled: queued again, taken later.
        const outcomes = window.messages.map((m): MessageOutcome => {
          const throttled = (m.id + seed + round) % 7 === 0;
          if (!throttled) taken.set(m.id, (taken.get(m.id) ?? 0) + 1);
          return { id: m.id, status: throttled ? 'queued' : 'sent', providerMessageId: throttled ? null : `p-${m.id}`, errorCode: null, parts: [] };
        });
        await new Promise((r) => setTimeout(r, (seed * 7 + round) % 6));
        await writeOutcomes(db, window.claimId, outcomes);
        if (++recorded === 30) cancelAfter();
      }
    }

    const cancel = halfway.then(async () => {
      const answer = await call<{ status: string }>('post', `/v1/sms/batches/${batchId}/cancel`, { auth: org.key });
      cancelled = true;
      return answer;
    });
    const results = await Promise.allSettled([...Array.from({ length: CLAIMERS }, (_, i) => claimer(i)), cancel]);
    // As the chunk job ends on a cancelled batch: what the cancel could not reach is cancelled.
    await cancelQueued(db, batchId, { from: 0, to: RECIPIENTS });
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([]);
    expect((await cancel).body.status).toBe('cancelled');

    expect([...taken.values()].filter((n) => n > 1)).toEqual([]);
    // Throttled messages are not taken: after the cancel they are cancelled, not queued again.
    expect(claimedAfterCancel).toEqual([]);
    const counts = await ctx.db.selectFrom('sms_messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('batch_id', '=', batchId).groupBy('status').execute();
    const byStatus = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
    expect(Object.keys(byStatus).sort()).toEqual(['cancelled', 'sent']);
    expect(byStatus.sent).toBe(taken.size);
    expect(await ctx.db.selectFrom('sms_claims').select('id').where('batch_id', '=', batchId).execute()).toEqual([]);
  });

  it('claims nothing of a cancelled batch, even a message a late window put back to queued; the chunk cancels it', async () => {
    const batchId = await batches(call, () => org.key).submit('TGG', 'Tot morgen', Array.from({ length: 10 }, (_, i) => ({ phone: mobile(5_000 + i) })));
    expect((await call<{ status: string }>('post', `/v1/sms/batches/${batchId}/cancel`, { auth: org.key })).body.status).toBe('cancelled');
    // What a throttled window recorded just as the cancel committed can leave behind.
    await db.updateTable('sms_messages').set({ status: 'queued' }).where('batch_id', '=', batchId).where('seq', '=', 3).execute();

    expect((await claimWindow(db, { batchId, from: 0, to: 1_000, size: WINDOW })).messages).toEqual([]);
    // The chunk's job, run again after a run that stopped early: it cancels the leftover.
    const job = { updateProgress: () => Promise.resolve() } as unknown as Job;
    expect(await sendChunk({ batchId, chunk: 0 }, { deps: runtime.deps, job, log: runtime.deps.logger, signal: new AbortController().signal })).toEqual({ sent: 0 });
    const statuses = await db.selectFrom('sms_messages').select('status').distinct().where('batch_id', '=', batchId).execute();
    expect(statuses).toEqual([{ status: 'cancelled' }]);
  });
});
