// How a chunk job ends (issue 16): after its last window it claims from the chunk's start once
// more only when this run put messages back to 'queued' (throttled); otherwise that rescan read
// every row of the chunk for nothing, and markChunkDone reads them again anyway, catching the
// messages anyone else queued again (the job then runs once more). Every message goes once.
import type { Job } from 'bullmq';
import { sql, type QueryId } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../workers/core/deps.js';
import { createOutboxProvider } from '../workers/sms/providers/outbox.js';
import type { SmsProvider, SubmitResult } from '../workers/sms/providers/provider.js';
import { sendChunk } from '../workers/sms/send-chunk.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
// The web role only: nothing sends but the chunk runs below.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Stichting Sluiting');
const outbox = { ...createOutboxProvider(runtime.deps.db), windowSize: 4 };
const job = { updateProgress: () => Promise.resolve() } as unknown as Job;

/** One run of the chunk job, counting its claim statements; `afterEmptyClaim` runs once, after the first claim that found nothing. */
function runChunk(batchId: string, provider: SmsProvider, afterEmptyClaim?: () => Promise<unknown>) {
  let claims = 0;
  let hook = afterEmptyClaim;
  const claimQueries = new Set<QueryId>();
  const db = runtime.deps.db.withPlugin({
    transformQuery: ({ node, queryId }) => {
      if (JSON.stringify(node).includes('INSERT INTO sms_claims')) {
        claims += 1;
        claimQueries.add(queryId);
      }
      return node;
    },
    transformResult: async ({ queryId, result }) => {
      if (hook && claimQueries.has(queryId) && result.rows.length === 0) {
        const h = hook;
        hook = undefined;
        await h();
      }
      return result;
    },
  });
  const deps: Deps = { ...runtime.deps, db, smsProvider: provider };
  const result = sendChunk({ batchId, chunk: 0 }, { deps, job, log: runtime.deps.logger, signal: new AbortController().signal });
  return { result, claims: () => claims };
}

const submit = (n: number, first: number) => batches(call, () => org.key).submit('TGG', 'Uw afspraak is morgen', Array.from({ length: n }, (_, i) => ({ phone: mobile(first + i) })));
const batchOf = async (id: string) => (await call<{ status: string; counts: Record<string, number> }>('get', `/v1/sms/batches/${id}`, { auth: org.key })).body;
/** How often each message of the batch reached the provider. */
const sendsPerMessage = async (id: string) =>
  (
    await sql<{ n: number }>`SELECT count(o.id)::int AS n FROM sms_messages m LEFT JOIN sms_outbox o ON o.message_id = m.id WHERE m.batch_id = ${id} GROUP BY m.id`.execute(ctx.db)
  ).rows.map((r) => r.n);

describe('the end of a chunk run', () => {
  it('claims from the start again only when it queued messages again: not when all went', async () => {
    const id = await submit(12, 500);
    const run = runChunk(id, outbox);
    expect(await run.result).toEqual({ sent: 12, failed: 0 });
    // Three windows of 4 and the empty claim past them; no rescan of the chunk (there was one: 5).
    expect(run.claims()).toBe(4);
    expect(await batchOf(id)).toMatchObject({ status: 'completed', counts: { sent: 12, queued: 0, sending: 0 } });
    expect(await sendsPerMessage(id)).toEqual(Array(12).fill(1));
  });

  it('makes no claim past the chunk\'s end when its last window reached it', async () => {
    const id = await submit(12, 800);
    // A chunk of 12 (the platform's are 1,000): its last window ends at its end.
    await ctx.db.updateTable('sms_batches').set({ chunk_size: 12 }).where('id', '=', id).execute();
    const run = runChunk(id, outbox);
    expect(await run.result).toEqual({ sent: 12, failed: 0 });
    // Three windows of 4, nothing more (there were 5: the claim past the end and the rescan).
    expect(run.claims()).toBe(3);
    expect(await batchOf(id)).toMatchObject({ status: 'completed', counts: { sent: 12, queued: 0, sending: 0 } });
    expect(await sendsPerMessage(id)).toEqual(Array(12).fill(1));
  });

  it('claims a chunk of 1,000 in two windows when the provider takes that many', async () => {
    const id = await submit(1_000, 2_000);
    const run = runChunk(id, { ...outbox, windowSize: 1_000 });
    expect(await run.result).toEqual({ sent: 1_000, failed: 0 });
    // Two windows of 500 (WINDOW), the last ending at the chunk's end (there were five of 200).
    expect(run.claims()).toBe(2);
    expect(await batchOf(id)).toMatchObject({ status: 'completed', counts: { sent: 1_000, queued: 0, sending: 0 } });
    expect(await sendsPerMessage(id)).toEqual(Array(1_000).fill(1));
  });

  // In a chunk of 1,000 the last window is followed by an empty claim; in one of 12 it ends at the chunk's end.
  it.each([
    [1_000, 600, 6],
    [12, 900, 5],
  ])('sends throttled messages in the rescan, each once (chunk of %i)', async (chunkSize, first0, claims) => {
    const id = await submit(12, first0);
    await ctx.db.updateTable('sms_batches').set({ chunk_size: chunkSize }).where('id', '=', id).execute();
    let first = true;
    const throttling: SmsProvider = {
      ...outbox,
      submit: async (window, record) => {
        if (!first) return outbox.submit(window, record);
        first = false;
        // The SMSC throttles the first two of the first window: they go back to 'queued'.
        const throttled = window.slice(0, 2).map((m): SubmitResult => ({ messageId: m.messageId, status: 'retry', errorCode: 'throttled' }));
        return outbox.submit(window.slice(2), (results) => record([...throttled, ...results]));
      },
    };
    const run = runChunk(id, throttling);
    expect(await run.result).toEqual({ sent: 12, failed: 0 });
    // Windows of 4, 4, 4, the empty claim past them (not at the chunk's end), the rescan's window
    // of 2, its empty claim (there was one more: a second rescan from the start).
    expect(run.claims()).toBe(claims);
    expect(await batchOf(id)).toMatchObject({ status: 'completed', counts: { sent: 12, queued: 0, sending: 0 } });
    expect(await sendsPerMessage(id)).toEqual(Array(12).fill(1));
  });

  it('runs again when someone else queued a message again as it ended, and sends it then', async () => {
    const id = await submit(8, 700);
    let unknownId = 0;
    const oneUnknown: SmsProvider = {
      ...outbox,
      submit: async (window, record) => {
        // The first message's submit went without an answer: 'unknown', never sent again by itself.
        unknownId ||= window[0]!.messageId;
        const rest = window.filter((m) => m.messageId !== unknownId);
        const unknown = window.filter((m) => m.messageId === unknownId).map((m): SubmitResult => ({ messageId: m.messageId, status: 'unknown', errorCode: 'no-answer' }));
        return outbox.submit(rest, (results) => record([...unknown, ...results]));
      },
    };
    // Ops resend it (as resend-unknown.ts does) right after the run's last claim found nothing.
    const run = runChunk(id, oneUnknown, () => ctx.db.updateTable('sms_messages').set({ status: 'queued', error_code: null }).where('id', '=', unknownId).execute());
    await expect(run.result).rejects.toThrow('chunk has queued messages again');
    const again = runChunk(id, outbox);
    expect(await again.result).toEqual({ sent: 1, failed: 0 });
    expect(await batchOf(id)).toMatchObject({ status: 'completed', counts: { sent: 8, queued: 0, unknown: 0 } });
    expect(await sendsPerMessage(id)).toEqual(Array(8).fill(1));
  });
});
