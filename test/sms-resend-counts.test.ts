// The ops "resend unknown" of a large batch: requeueUnknown answers counts and the chunks to
// queue, never the batch's unknown messages (it returned each one's id and seq to the process,
// a million rows for a batch of a million); the route answers the count it queued.
import { sql, type KyselyPlugin } from 'kysely';
import { expect, it } from 'vitest';
import { opsActor } from '../workers/core/audit.js';
import { requeueUnknown } from '../workers/sms/resend-unknown.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Stichting Herzenden');

/** The most rows any one statement gave back to the process. */
function rowsSeen(): { plugin: KyselyPlugin; most: () => number } {
  let most = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: (args) => {
      most = Math.max(most, args.result.rows.length);
      return Promise.resolve(args.result);
    },
  };
  return { plugin, most: () => most };
}

const makeUnknown = async (id: string) => {
  await sql`UPDATE sms_messages SET status = 'unknown' WHERE batch_id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_chunks SET done = true WHERE batch_id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_batches SET status = 'completed', completed_at = now() WHERE id = ${id}`.execute(ctx.db);
};

it('queues a batch\'s unknown messages again in a few rows, whatever their number, with their chunks', async () => {
  const id = await batches(call, () => org.key).submit('TGG', 'Uw afspraak is morgen', Array.from({ length: 2_500 }, (_, i) => ({ phone: mobile(10_000 + i) })));
  await makeUnknown(id);
  // One erased recipient in the last chunk, one message already sent in the first.
  await sql`UPDATE sms_messages SET phone = NULL, text = NULL, phone_hash = NULL, anonymised_at = now() WHERE batch_id = ${id} AND seq = 2400`.execute(ctx.db);
  await sql`UPDATE sms_messages SET status = 'sent' WHERE batch_id = ${id} AND seq = 5`.execute(ctx.db);
  const firstId = (await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', '=', id).where('seq', '=', 0).executeTakeFirstOrThrow()).id;
  await sql`INSERT INTO sms_message_parts (message_id, part, smsc_id) VALUES (${firstId}, 1, 'old-1')`.execute(ctx.db);

  const seen = rowsSeen();
  const outcome = await requeueUnknown(ctx.db.withPlugin(seen.plugin), id, opsActor('ops'));
  expect(outcome.requeued).toBe(2_498);
  expect(outcome.jobs.map((j) => j.payload)).toEqual([0, 1, 2].map((chunk) => ({ batchId: id, chunk })));
  expect(seen.most()).toBeLessThanOrEqual(3);

  const counts = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM sms_messages WHERE batch_id = ${id} GROUP BY status ORDER BY status`.execute(ctx.db);
  expect(counts.rows).toEqual([
    { status: 'queued', n: 2_498 },
    { status: 'sent', n: 1 },
    { status: 'unknown', n: 1 },
  ]);
  expect(await ctx.db.selectFrom('sms_message_parts').select('smsc_id').where('message_id', '=', firstId).execute()).toEqual([]);
  expect(await ctx.db.selectFrom('sms_chunks').select('chunk').where('batch_id', '=', id).where('done', '=', false).orderBy('chunk').execute()).toEqual([{ chunk: 0 }, { chunk: 1 }, { chunk: 2 }]);
  expect(await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'queued' });
});

it('answers the count on the ops route, and 0 with nothing to queue', async () => {
  const id = await batches(call, () => org.key).submit('TGG', 'Tot morgen', [{ phone: mobile(1) }, { phone: mobile(2) }]);
  await makeUnknown(id);
  const resend = await call<{ requeued: number }>('post', `/ops/sms/batches/${id}/resend-unknown`, { auth: opsAuth(ctx) });
  expect(resend).toMatchObject({ status: 200, body: { requeued: 2 } });
  const again = await call<{ requeued: number }>('post', `/ops/sms/batches/${id}/resend-unknown`, { auth: opsAuth(ctx) });
  expect(again).toMatchObject({ status: 200, body: { requeued: 0 } });
});
