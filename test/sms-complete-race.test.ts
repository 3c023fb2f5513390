// A batch is completed only when no chunk is open, also when an ops "resend unknown" reopens a
// chunk while the last chunk's job is completing it: the completion waits on the resend's lock
// on the batch and must then see the reopened chunk (it completed the batch on the snapshot it
// took before the wait, and the requeued messages stayed queued for ever). And a chunk that
// closes while another is still open answers at once, without locking the batch (issue 16:
// that lock was a write and a WAL flush per chunk, for nothing but the last).
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { completeBatchIfDone } from '../workers/sms/store.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Race BV');

/** A batch of one recipient, sending, its chunk closed. */
async function sendingBatch(): Promise<string> {
  const sendAt = new Date(Date.now() + 3_600_000).toISOString();
  const posted = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Jansen', body: 'Hallo', sendAt, recipients: [{ phone: '0640000001' }] } });
  expect(posted.status).toBe(202);
  const id = posted.body.id;
  await sql`UPDATE sms_batches SET status = 'sending' WHERE id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_chunks SET done = true WHERE batch_id = ${id}`.execute(ctx.db);
  return id;
}

it('does not complete a batch whose chunk a concurrent resend reopened', async () => {
  const id = await sendingBatch();

  let completion: Promise<boolean> | undefined;
  await ctx.db.transaction().execute(async (resend) => {
    // As requeueUnknown does: the batch locked, its chunk reopened, the batch queued again.
    await sql`SELECT id FROM sms_batches WHERE id = ${id} FOR UPDATE`.execute(resend);
    await sql`UPDATE sms_chunks SET done = false WHERE batch_id = ${id}`.execute(resend);
    await sql`UPDATE sms_batches SET status = 'queued' WHERE id = ${id}`.execute(resend);
    completion = completeBatchIfDone(ctx.db, id);
    await waitFor(async () => {
      const waiting = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(ctx.db);
      return (waiting.rows[0]?.n ?? 0) > 0;
    }, 'the completion to wait on the resend', 10_000);
  });
  expect(await completion).toBe(false);
  const batch = await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  expect(batch.status).toBe('queued');
});

it('answers at once, without the batch lock, while another chunk is open; completes with the last', async () => {
  const id = await sendingBatch();
  await sql`INSERT INTO sms_chunks (batch_id, chunk, done) VALUES (${id}, 1, false)`.execute(ctx.db);
  let late: Promise<boolean> | undefined;
  const answer = await ctx.db.transaction().execute(async (other) => {
    // Anyone holding the batch row (a cancel, a resend): a chunk that is not the last does not wait for it.
    await sql`SELECT id FROM sms_batches WHERE id = ${id} FOR UPDATE`.execute(other);
    late = completeBatchIfDone(ctx.db, id);
    return Promise.race([late, new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3_000))]);
  });
  await late;
  expect(answer).toBe(false);
  expect((await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('sending');
  await sql`UPDATE sms_chunks SET done = true WHERE batch_id = ${id}`.execute(ctx.db);
  expect(await completeBatchIfDone(ctx.db, id)).toBe(true);
  expect((await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('completed');
});
