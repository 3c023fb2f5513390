// An ops "resend unknown" while the chunk's job is still running. The running job may have read
// its chunk before the resend committed and end without seeing the requeued messages; a job of
// the same id cannot be added while it runs. The resend adds a follow-up job under an id of its
// own, and the two runs of one chunk send each message once and close the chunk once (.ci/run
// failed on it: the requeued messages stayed queued, with no job, until the next reconciler pass).
import type { Job } from 'bullmq';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Deps } from '../workers/core/deps.js';
import { createOutboxProvider } from '../workers/sms/providers/outbox.js';
import { sendChunk } from '../workers/sms/send-chunk.js';
import { markChunkDone } from '../workers/sms/store.js';
import { REDIS_URL } from './helpers/env.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Stichting Nazending');
const queue = web.deps.queues.get('sms');
const job = { updateProgress: () => Promise.resolve() } as unknown as Job;

// Holds every job of the sms queue active until released, as a worker mid-run would.
let release: () => void = () => undefined;
const released = new Promise<void>((r) => (release = r));
const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const holder = new Worker('sms', () => released, { connection, prefix: ctx.prefix, concurrency: 50 });

afterAll(async () => {
  release();
  await holder.close();
  connection.disconnect();
});

it('adds a follow-up job when the chunk job is running, and the two runs send each message once', async () => {
  const id = await batches(call, () => org.key).submit('TGG', 'Uw afspraak is morgen', Array.from({ length: 5 }, (_, i) => ({ phone: mobile(i) })));
  const chunkJobId = `sms-${id}-0`;
  await waitFor(async () => (await queue.getJobState(chunkJobId)) === 'active', 'the chunk job to be running');

  // Its run ended in doubt for two messages, swept to 'unknown'; the rest sent; the chunk closed.
  await sql`UPDATE sms_messages SET status = CASE WHEN seq < 2 THEN 'unknown' ELSE 'sent' END WHERE batch_id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_chunks SET done = true WHERE batch_id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_batches SET status = 'completed', completed_at = now() WHERE id = ${id}`.execute(ctx.db);

  const resend = await call<{ requeued: number }>('post', `/ops/sms/batches/${id}/resend-unknown`, { auth: opsAuth(ctx) });
  expect(resend.status, JSON.stringify(resend.body)).toBe(200);
  expect(resend.body).toEqual({ requeued: 2 });
  const added = await waitFor(async () => {
    const jobs = await queue.getJobs(['active', 'waiting', 'prioritized']);
    return jobs.find((j) => j.id !== chunkJobId && j.name === 'sms.send-chunk' && (j.data as { batchId: string }).batchId === id);
  }, 'a follow-up job of the chunk');
  expect(added.id).toMatch(new RegExp(`^${chunkJobId}-after-`));
  expect(added.data).toEqual({ batchId: id, chunk: 0 });

  // Both runs of the chunk, the follow-up and the one that was running, as workers would run them.
  const outbox = createOutboxProvider(web.deps.db);
  const deps: Deps = { ...web.deps, smsProvider: outbox };
  const run = () => sendChunk({ batchId: id, chunk: 0 }, { deps, job, log: web.deps.logger, signal: new AbortController().signal });
  expect(await run()).toEqual({ sent: 2, failed: 0 });
  expect(await run()).toMatchObject({ sent: 0 });
  const sent = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sms_outbox`.execute(ctx.db);
  expect(sent.rows[0]?.n).toBe(2);
  const batch = await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  expect(batch.status).toBe('completed');
});

it('closes a chunk once: a second run finds it closed and queues no second chunk callback', async () => {
  const id = await batches(call, () => org.key).submit('TGG', 'Tot morgen', [{ phone: mobile(9) }]);
  await sql`UPDATE sms_messages SET status = 'sent' WHERE batch_id = ${id}`.execute(ctx.db);
  const range = { chunk: 0, from: 0, to: 1_000 };
  expect(await markChunkDone(ctx.db, id, range)).toBe('done');
  expect(await markChunkDone(ctx.db, id, range)).toBe('closed');
  await sql`UPDATE sms_messages SET status = 'queued' WHERE batch_id = ${id}`.execute(ctx.db);
  expect(await markChunkDone(ctx.db, id, range)).toBe('queued');
});
