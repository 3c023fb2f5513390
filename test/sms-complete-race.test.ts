// A batch is completed only when no chunk is open, also when an ops "resend unknown" reopens a
// chunk while the last chunk's job is completing it: the completion waits on the resend's lock
// on the batch and must then see the reopened chunk (it completed the batch on the snapshot it
// took before the wait, and the requeued messages stayed queued for ever).
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { completeBatchIfDone } from '../workers/sms/store.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Race BV');

it('does not complete a batch whose chunk a concurrent resend reopened', async () => {
  const sendAt = new Date(Date.now() + 3_600_000).toISOString();
  const posted = await call<{ id: string }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Jansen', body: 'Hallo', sendAt, recipients: [{ phone: '0640000001' }] } });
  expect(posted.status).toBe(202);
  const id = posted.body.id;
  await sql`UPDATE sms_batches SET status = 'sending' WHERE id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_chunks SET done = true WHERE batch_id = ${id}`.execute(ctx.db);

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
