// The chunk job run in-process, with the faults put exactly where they matter.
// - A batch is `completed` only when none of its messages can still change by sending: a window
//   whose outcome was never written (its worker killed, or the write failed) keeps its messages
//   `sending`, and a retried chunk job that finds nothing left to claim must not close the chunk
//   over them. The sweep turns them `unknown` after the timeout; then the chunk closes and the
//   batch completes, with those messages counted as `unknown`.
// - Under a rate, a cancel that commits between a window's claim and its submit keeps all of
//   that window from the provider (issue 16: the batch is read again before each window).
import type { Job } from 'bullmq';
import { sql, type QueryId } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../workers/core/deps.js';
import { createOutboxProvider } from '../workers/sms/providers/outbox.js';
import type { SmsProvider } from '../workers/sms/providers/provider.js';
import { sendChunk } from '../workers/sms/send-chunk.js';
import { smsDueWork } from '../workers/sms/due-work.js';
import { claimWindow, expireSendingSms } from '../workers/sms/store.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
// The web role only: nothing sends but the chunk runs below.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Stichting Afronding');
const outbox = createOutboxProvider(runtime.deps.db);
const job = { updateProgress: () => Promise.resolve() } as unknown as Job;

/** One run of the chunk job with this provider, as a worker would run it. */
function runChunk(batchId: string, provider: SmsProvider, db = runtime.deps.db) {
  const deps: Deps = { ...runtime.deps, db, smsProvider: provider };
  return sendChunk({ batchId, chunk: 0 }, { deps, job, log: runtime.deps.logger, signal: new AbortController().signal });
}

const batchOf = async (id: string) => (await call<{ status: string; counts: Record<string, number> }>('get', `/v1/sms/batches/${id}`, { auth: org.key })).body;
const chunkDone = async (id: string) => (await ctx.db.selectFrom('sms_chunks').select('done').where('batch_id', '=', id).executeTakeFirstOrThrow()).done;
const openChunkJobs = async (id: string) => (await smsDueWork.due(ctx.db, 1_000)).filter((r) => r.name === 'sms.send-chunk' && (r.payload as { batchId: string }).batchId === id);

/** Moves the batch's open claims past the sending timeout and runs the reconciler's sweep. */
async function sweepAfterTimeout(id: string): Promise<number> {
  await sql`UPDATE sms_claims SET claimed_at = now() - interval '11 minutes' WHERE batch_id = ${id}`.execute(ctx.db);
  return expireSendingSms(ctx.db);
}

describe('a batch with a window in doubt', () => {
  it('stays sending while a window whose outcome was not written is sending, and completes once the sweep made it unknown', async () => {
    const id = await batches(call, () => org.key).submit('TGG', 'Uw pakket komt morgen', Array.from({ length: 10 }, (_, i) => ({ phone: mobile(i) })));
    // The first run claims the whole window and cannot write its outcome (the database went away as it wrote).
    const failing: SmsProvider = { ...outbox, submit: () => Promise.reject(new Error('outcome could not be written')) };
    await expect(runChunk(id, failing)).rejects.toThrow('outcome could not be written');
    expect((await batchOf(id)).counts.sending).toBe(10);

    // Its retry finds nothing to claim: the chunk stays open and the batch is not completed.
    expect(await runChunk(id, outbox)).toEqual({ sent: 0, failed: 0 });
    const during = await batchOf(id);
    expect(during.status).toBe('sending');
    expect(during.counts).toMatchObject({ sending: 10, sent: 0 });
    expect(await chunkDone(id)).toBe(false);
    // The reconciler keeps the chunk's job while it is open.
    expect(await openChunkJobs(id)).toHaveLength(1);

    expect(await sweepAfterTimeout(id)).toBe(10);
    await runChunk(id, outbox);
    const after = await batchOf(id);
    expect(after.status).toBe('completed');
    expect(after.counts).toMatchObject({ sending: 0, unknown: 10, sent: 0, queued: 0 });
    expect(await openChunkJobs(id)).toEqual([]);
  });

  it('sends the rest of the chunk around a window claimed by another run, and completes only after the sweep', async () => {
    const id = await batches(call, () => org.key).submit('TGG', 'Tot ziens', Array.from({ length: 12 }, (_, i) => ({ phone: mobile(100 + i) })));
    // Another run (a stalled job's first worker, or a killed one) holds a window of 4 in the middle.
    const held = await claimWindow(ctx.db, { batchId: id, from: 4, to: 1_000, size: 4 });
    expect(held.messages).toHaveLength(4);

    expect(await runChunk(id, outbox)).toEqual({ sent: 8, failed: 0 });
    expect(await batchOf(id)).toMatchObject({ status: 'sending', counts: { sent: 8, sending: 4 } });
    expect(await chunkDone(id)).toBe(false);

    // The other run writes its outcome after all: the next run of the chunk closes it.
    await ctx.db.deleteFrom('sms_claims').where('id', '=', held.claimId).execute();
    await ctx.db.updateTable('sms_messages').set({ status: 'sent' }).where('id', 'in', held.messages.map((m) => m.id)).execute();
    await runChunk(id, outbox);
    expect(await batchOf(id)).toMatchObject({ status: 'completed', counts: { sent: 12, sending: 0 } });
  });
});

describe('a cancel between a window\'s claim and its submit, under a rate', () => {
  it('keeps the whole window from the provider and cancels its messages', async () => {
    const id = await batches(call, () => org.key).submit('TGG', 'Actie vandaag', Array.from({ length: 6 }, (_, i) => ({ phone: mobile(300 + i) })));
    // The member's cancel commits right after the claim statement, before the window goes.
    const claims = new Set<QueryId>();
    let cancel: Promise<{ status: number }> | undefined;
    const db = runtime.deps.db.withPlugin({
      transformQuery: ({ node, queryId }) => {
        if (JSON.stringify(node).includes('INSERT INTO sms_claims')) claims.add(queryId);
        return node;
      },
      transformResult: async ({ queryId, result }) => {
        if (claims.has(queryId)) await (cancel ??= call('post', `/v1/sms/batches/${id}/cancel`, { auth: org.key }));
        return result;
      },
    });
    const rated: SmsProvider = { ...outbox, reserve: () => Promise.resolve() };

    expect(await runChunk(id, rated, db)).toEqual({ sent: 0, failed: 0 });
    expect((await cancel)?.status).toBe(200);
    const messageIds = (await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', '=', id).execute()).map((m) => m.id);
    expect(await ctx.db.selectFrom('sms_outbox').select('id').where('message_id', 'in', messageIds).execute()).toEqual([]);
    expect(await batchOf(id)).toMatchObject({ status: 'cancelled', counts: { cancelled: 6, sending: 0, sent: 0 } });
    expect(await ctx.db.selectFrom('sms_claims').select('id').where('batch_id', '=', id).execute()).toEqual([]);
  });
});
