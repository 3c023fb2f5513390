// Issue 16: a batch's counts per status come from running counts (triggers on sms_messages,
// folded by the reconciler), not from a count over its messages. They must equal COUNT(*) after
// a mixed run: sending, e-mail, suppressed numbers, a cancel half-way, and many connections
// moving statuses of one batch at once while the counts are folded.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/database.js';
import { countsByStatus, foldBatchCounts } from '../workers/sms/batch-counts.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'sms', 'mail'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Telwerk BV');
const db = createDb(ctx.config.databaseUrl, { max: 10 });
afterAll(() => db.destroy());
const submit = batches(call, () => org.key);

/** COUNT(*) per status, every status present (0 when none). */
async function counted(batchId: string, db: Kysely<Database> = ctx.db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('sms_messages').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('batch_id', '=', batchId).groupBy('status').execute();
  const zero = await countsByStatus(db, batchId);
  return { ...Object.fromEntries(Object.keys(zero).map((s) => [s, 0])), ...Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) };
}

/** The running counts and COUNT(*), read in one snapshot: the workers may still move a message between two reads. */
const bothCounts = (batchId: string) =>
  ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => ({ running: await countsByStatus(trx, batchId), counted: await counted(batchId, trx) }));

const expectExact = async (batchId: string) => {
  const { running, counted: rows } = await bothCounts(batchId);
  expect(running).toEqual(rows);
};

describe('running counts per batch status', () => {
  it('equal COUNT(*) after sending, e-mail, suppression and a cancel, on the API too', async () => {
    expect((await call('post', '/v1/sms/opt-outs', { auth: org.key, body: { phone: mobile(3) } })).status).toBe(201);
    const recipients = [...Array.from({ length: 300 }, (_, i) => ({ phone: mobile(i) })), { phone: mobile(1) }, { email: 'een@example.nl' }, { email: 'twee@example.nl' }];
    const sent = await submit.submit('TGG', 'Hallo', recipients);
    const toCancel = await submit.submit('TGG', 'Later', Array.from({ length: 3_000 }, (_, i) => ({ phone: mobile(10_000 + i) })));
    const cancel = await call<{ status: string }>('post', `/v1/sms/batches/${toCancel}/cancel`, { auth: org.key });
    expect(cancel.status).toBe(200);
    const done = await submit.finished(sent);
    expect(done.counts).toEqual(await counted(sent));
    expect(done.counts).toMatchObject({ suppressed: 1 });
    await waitFor(async () => ((await counted(toCancel)).queued === 0 && (await counted(toCancel)).sending === 0) || undefined, 'the cancelled batch to settle');
    await expectExact(toCancel);
    await foldBatchCounts(ctx.db, 1_000);
    for (const id of [sent, toCancel]) await expectExact(id);
  });

  it('stay exact with ten connections moving statuses of one batch while others fold', async () => {
    const batchId = await submit.submit('TGG', 'Druk', Array.from({ length: 2_000 }, (_, i) => ({ phone: mobile(20_000 + i) })));
    // The workers send it meanwhile: the counts must hold whatever they and these movers do together.
    // Each statement moves rows of any other status to its target, so it always finds some (its
    // seed's 200 rows are never all in one status) and writes delta rows whatever the workers did.
    const targets = ['sending', 'sent', 'delivered', 'unknown', 'queued'] as const;
    let folds = 0;
    let moving = 8;
    const mover = async (seed: number) => {
      for (let round = 0; round < 25; round++) {
        const to = targets[(seed + round) % targets.length] ?? 'queued';
        await sql`
          UPDATE sms_messages SET status = ${to} WHERE id IN (
            SELECT id FROM sms_messages WHERE batch_id = ${batchId} AND status <> ${to} AND id % 10 = ${seed} LIMIT 40 FOR UPDATE SKIP LOCKED)`.execute(db);
      }
      moving -= 1;
    };
    // Folds for as long as the movers move (however fast the machine runs them), then once more.
    const folder = async () => {
      do {
        await sql`SELECT pg_sleep(0.005)`.execute(db);
        folds += await foldBatchCounts(db);
      } while (moving > 0);
    };
    await Promise.all([...Array.from({ length: 8 }, (_, i) => mover(i)), folder(), folder()]);
    // The movers' 200 statements leave well over FOLD_ABOVE delta rows: had no fold run, this one would fold them.
    folds += await foldBatchCounts(db);
    expect(folds).toBeGreaterThan(0);
    await expectExact(batchId);
  });
});
