// The reconciler (ARCHITECTURE.md, rule 3): Postgres is the record. A due row without a live job
// gets its job back, after a Redis wipe too; a stale failed job of the same id is replaced; only
// one reconciler runs at a time; rows stuck in 'sending' become 'unknown' (rule 4).
import { sql } from 'kysely';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { DUE_WORK } from '../workers/due-work.js';
import { PermanentJobError } from '../workers/core/errors.js';
import { reconcileOnce, type DueWorkSource } from '../workers/core/reconciler.js';
import { loadAllHandlers } from '../workers/handlers.js';
import { insertMail } from '../workers/mail/mail-messages.js';
import { createTestContext, started, waitFor } from './helpers/context.js';

const HANDLERS = await loadAllHandlers();

const ctx = await createTestContext();

/** What a Redis restart without persistence (or FLUSHALL) does to this file's queues. */
async function wipeRedis(): Promise<void> {
  const keys = await ctx.redis.keys(`${ctx.prefix}:*`);
  if (keys.length > 0) await ctx.redis.del(...keys);
}

function queueMail(subject: string): Promise<string> {
  return insertMail(ctx.db, {
    purpose: 'password-reset',
    to_address: 'anna.de.vries@example.com',
    subject,
    text_body: 'Follow this link to choose a new password.',
    html_body: null,
    organization_id: null,
  });
}

beforeEach(async () => {
  await ctx.db.deleteFrom('mail_messages').execute();
  await ctx.db.deleteFrom('mail_outbox').execute();
  await wipeRedis();
});

describe('reconcileOnce', () => {
  it('enqueues a queued row that has no job, and enqueues it again after a Redis wipe', async () => {
    const runtime = await started(await ctx.start({ roles: [] }));
    const queue = runtime.deps.queues.get('mail');
    const id = await queueMail('Reset your password');
    const sent = await queueMail('Already sent');
    await ctx.db.updateTable('mail_messages').set({ status: 'sent', sent_at: new Date() }).where('id', '=', sent).execute();

    expect(await queue.getJobState(`mail-${id}`)).toBe('unknown');
    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toEqual({ enqueued: 1, swept: 0, failed: [] });
    expect(await queue.getJobState(`mail-${id}`)).toBe('waiting');
    expect((await queue.getJob(`mail-${id}`))?.data).toEqual({ messageId: id });
    expect(await queue.getJobState(`mail-${sent}`)).toBe('unknown');

    // A live job is left alone: a second pass adds nothing.
    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toEqual({ enqueued: 0, swept: 0, failed: [] });
    expect(await queue.getWaitingCount()).toBe(1);

    await wipeRedis();
    expect(await queue.getJobState(`mail-${id}`)).toBe('unknown');
    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toEqual({ enqueued: 1, swept: 0, failed: [] });
    expect(await queue.getJobState(`mail-${id}`)).toBe('waiting');
    expect((await queue.getJob(`mail-${id}`))?.data).toEqual({ messageId: id });
  });

  it('removes a stale failed job of the same id and adds it again', async () => {
    const id = await queueMail('Confirm your subscription');
    const failing = await started(
      await ctx.start({
        roles: ['mail'],
        handlers: { ...HANDLERS, 'mail.send': () => Promise.reject(new PermanentJobError('forced failure')) },
      }),
    );
    const failingQueue = failing.deps.queues.get('mail');
    await failing.deps.queues.enqueue('mail.send', { messageId: id });
    await waitFor(async () => (await failingQueue.getJobState(`mail-${id}`)) === 'failed', 'the job to fail');
    await failing.stop();

    const runtime = await started(await ctx.start({ roles: [] }));
    const queue = runtime.deps.queues.get('mail');
    const stale = await queue.getJob(`mail-${id}`);
    expect(stale?.failedReason).toBe('forced failure');
    // Adding a job whose id exists is a no-op in BullMQ: without the reconciler's removal it stays failed.
    await runtime.deps.queues.enqueue('mail.send', { messageId: id });
    expect(await queue.getJobState(`mail-${id}`)).toBe('failed');

    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toEqual({ enqueued: 1, swept: 0, failed: [] });
    expect(await queue.getJobState(`mail-${id}`)).toBe('waiting');
    const fresh = await queue.getJob(`mail-${id}`);
    expect(fresh?.attemptsMade).toBe(0);
    expect(fresh?.failedReason).toBeFalsy();
    expect(await queue.getFailedCount()).toBe(0);
  });

  it('returns null while another pass holds the advisory lock', async () => {
    const runtime = await started(await ctx.start({ roles: [] }));
    const id = await queueMail('Your export is ready');
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const blocker: DueWorkSource = {
      name: 'blocker',
      async due() {
        entered();
        await released;
        return [];
      },
    };

    const first = reconcileOnce(runtime.deps, [blocker]);
    await inside;
    const locks = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(ctx.db);
    expect(locks.rows[0]?.n).toBe(1);
    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toBeNull();
    expect(await runtime.deps.queues.get('mail').getJobState(`mail-${id}`)).toBe('unknown');

    release();
    expect(await first).toEqual({ enqueued: 0, swept: 0, failed: [] });
    // The lock is a transaction lock: it is gone with the first pass, and the next pass runs.
    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toEqual({ enqueued: 1, swept: 0, failed: [] });
  });
});

describe('the reconciler in the scheduler role', () => {
  it('gets a queued row whose job was wiped sent, through the outbox', async () => {
    const id = await queueMail('Welcome back');
    const producer = await started(await ctx.start({ roles: [] }));
    await producer.deps.queues.enqueue('mail.send', { messageId: id });
    expect(await producer.deps.queues.get('mail').getJobState(`mail-${id}`)).toBe('waiting');
    await wipeRedis();
    await producer.stop();

    await started(await ctx.start({ roles: ['scheduler', 'mail'], config: ctx.configWith({ RECONCILE_INTERVAL_MS: '100' }) }));
    const row = await waitFor(
      () => ctx.db.selectFrom('mail_messages').selectAll().where('id', '=', id).where('status', '=', 'sent').executeTakeFirst(),
      'the mail to be sent',
    );
    expect(row.attempts).toBe(1);
    expect(row.provider_message_id).toBeTruthy();
    const outbox = await ctx.db.selectFrom('mail_outbox').selectAll().execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ message_id: row.provider_message_id, envelope_to: ['anna.de.vries@example.com'], subject: 'Welcome back' });
    expect(outbox[0]?.raw).toContain('Follow this link to choose a new password.');
  });

  it("turns rows left in 'sending' past the timeout into 'unknown', and never sends them", async () => {
    const stale = await queueMail('Stuck since a crash');
    const recent = await queueMail('Being sent right now');
    await sql`UPDATE mail_messages SET status = 'sending', attempts = 1, claimed_at = now() - interval '11 minutes' WHERE id = ${stale}`.execute(ctx.db);
    await sql`UPDATE mail_messages SET status = 'sending', attempts = 1, claimed_at = now() - interval '1 minute' WHERE id = ${recent}`.execute(ctx.db);

    await started(await ctx.start({ roles: ['scheduler', 'mail'], config: ctx.configWith({ RECONCILE_INTERVAL_MS: '100' }) }));
    const row = await waitFor(
      () => ctx.db.selectFrom('mail_messages').selectAll().where('id', '=', stale).where('status', '=', 'unknown').executeTakeFirst(),
      "the stale row to become 'unknown'",
    );
    expect(row.error_code).toBe('sending-timeout');
    expect(row.attempts).toBe(1);
    const other = await ctx.db.selectFrom('mail_messages').select(['status', 'error_code']).where('id', '=', recent).executeTakeFirstOrThrow();
    expect(other).toEqual({ status: 'sending', error_code: null });
    expect(await ctx.db.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
  });

  it('still sweeps while Redis is away, and reports the enqueue it could not do', async () => {
    const stale = await queueMail('Stuck while Redis is down');
    await sql`UPDATE mail_messages SET status = 'sending', attempts = 1, claimed_at = now() - interval '11 minutes' WHERE id = ${stale}`.execute(ctx.db);
    await queueMail('Waiting for Redis');
    const runtime = await ctx.start({ roles: [], config: ctx.configWith({ REDIS_URL: 'redis://127.0.0.1:1' }), waitForRedisMs: 50 });
    onTestFinished(() => runtime.stop());
    expect(await reconcileOnce(runtime.deps, DUE_WORK)).toEqual({ enqueued: 0, swept: 1, failed: ['mail', 'sms', 'tem', 'newsletter', 'privacy'] });
    const row = await ctx.db.selectFrom('mail_messages').select('status').where('id', '=', stale).executeTakeFirstOrThrow();
    expect(row.status).toBe('unknown');
  });
});
