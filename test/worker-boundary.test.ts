// The worker boundary (ARCHITECTURE.md, rule 2): a job's payload is parsed again before its
// handler runs, and nothing that leaves a worker (failure reason, stack, events stream, return
// value) carries personal data.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadAllHandlers } from '../workers/handlers.js';
import { insertMail } from '../workers/mail/mail-messages.js';
import { createTestContext, started, waitFor } from './helpers/context.js';

const HANDLERS = await loadAllHandlers();

const ctx = await createTestContext();

describe('worker boundary', () => {
  it('fails a job with a bad payload at once, without retries, naming the field and not the value', async () => {
    const runtime = await started(await ctx.start({ roles: ['mail'] }));
    const queue = runtime.deps.queues.get('mail');
    const job = await queue.add('mail.send', { messageId: 'not-a-uuid-secret-value' }, { jobId: 'bad-payload', attempts: 8, backoff: { type: 'fixed', delay: 50 } });

    await waitFor(async () => (await queue.getJobState(job.id ?? '')) === 'failed', 'the bad job to fail');

    const failed = await queue.getJob('bad-payload');
    expect(failed?.opts.attempts).toBe(8);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain('invalid payload for mail.send');
    expect(failed?.failedReason).toContain('messageId');
    expect(failed?.failedReason).not.toContain('not-a-uuid-secret-value');
    // The events stream carries the reason too (the job's own data still holds the value, as sent).
    const events = await ctx.redis.xrange(`${ctx.prefix}:mail:events`, '-', '+');
    const failures = events.map(([, fields]) => fields).filter((fields) => fields.includes('failed') && fields.includes('bad-payload'));
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures)).toContain('messageId');
    expect(JSON.stringify(failures)).not.toContain('secret-value');
  });

  it('keeps a pg error detail that quotes a row value out of Redis, naming the SQLSTATE instead', async () => {
    let detail: string | undefined;
    const runtime = await started(
      await ctx.start({
        roles: ['mail'],
        handlers: {
          ...HANDLERS,
          'mail.send': async (_payload, { deps }) => {
            await sql`CREATE TABLE IF NOT EXISTS boundary_people (id serial PRIMARY KEY, email text UNIQUE NOT NULL)`.execute(deps.db);
            await sql`INSERT INTO boundary_people (email) VALUES (${'jan.jansen@example.nl'})`.execute(deps.db);
            try {
              await sql`INSERT INTO boundary_people (email) VALUES (${'jan.jansen@example.nl'})`.execute(deps.db);
            } catch (error) {
              // pg puts the row value in `detail` ("Key (email)=(jan.jansen@example.nl) already exists.");
              // fold it into message and stack too, as careless error handling would.
              const pgError = error as Error & { detail?: string };
              detail = pgError.detail;
              pgError.message = `${pgError.message}: ${pgError.detail ?? ''}`;
              pgError.stack = `${pgError.message}\n${pgError.stack ?? ''}`;
              throw pgError;
            }
            return { sent: 1 };
          },
        },
      }),
    );
    const queue = runtime.deps.queues.get('mail');
    const messageId = '00000000-0000-4000-8000-000000000001';
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId }, { attempts: 1 });
    expect(jobId).toBe(`mail-${messageId}`);

    await waitFor(async () => (await queue.getJobState(jobId)) === 'failed', 'the job to fail');
    const job = await queue.getJob(jobId);
    expect(job?.failedReason).toContain('23505');
    expect(job?.failedReason).toContain('boundary_people');
    expect(job?.stacktrace?.length).toBeGreaterThan(0);

    expect(detail).toContain('jan.jansen@example.nl');
    const rows = await sql<{ email: string }>`SELECT email FROM boundary_people`.execute(ctx.db);
    expect(rows.rows).toEqual([{ email: 'jan.jansen@example.nl' }]);

    const dump = await ctx.redisDump();
    expect(dump).toContain('23505'); // the dump does hold the failure, in the events stream and the job hash
    expect(dump).toContain(`${ctx.prefix}:mail:events`);
    expect(dump).not.toContain('jan.jansen');
    expect(dump).not.toContain('example.nl');
  });

  it('keeps a completed job\'s return value to counts only', async () => {
    const runtime = await started(await ctx.start({ roles: ['mail'] }));
    const messageId = await insertMail(ctx.db, {
      purpose: 'password-reset',
      to_address: 'piet.pietersen@example.org',
      subject: 'Reset your password',
      text_body: 'Hello Piet, follow this link.',
      html_body: null,
      organization_id: null,
    });
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId });
    const queue = runtime.deps.queues.get('mail');
    await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 'the mail job to complete');

    const job = await queue.getJob(jobId);
    expect(job?.returnvalue).toEqual({ sent: 1, failed: 0 });
    expect(job?.data).toEqual({ messageId });
    const row = await ctx.db.selectFrom('mail_messages').select('status').where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');

    const dump = await ctx.redisDump();
    expect(dump).toContain(messageId);
    expect(dump).not.toContain('piet.pietersen');
    expect(dump).not.toContain('example.org');
    expect(dump).not.toContain('Reset your password');
  });
});
