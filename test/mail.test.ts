// Transactional mail end to end: a mail_messages row, a mail.send job carrying its id, and a real
// SMTP server on a loopback port (or the local outbox when SMTP_URL is unset).
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { insertMail } from '../workers/mail/mail-messages.js';
import { createTestContext, started, waitFor } from './helpers/context.js';
import { baseUrl, basic } from './helpers/http.js';
import { opsAuth } from './helpers/identity.js';
import { startSmtp } from './helpers/smtp.js';

const ctx = await createTestContext();

const smtp = await startSmtp();
const { received, rcptAttempts } = smtp;
// After every runtime of a test was stopped (onTestFinished), so no pooled SMTP connection is left.
afterAll(() => smtp.close());

const smtpConfig = ctx.configWith({ SMTP_URL: smtp.url, MAIL_FROM: 'TGG <noreply@tgg.test>' });

function queueMail(to: string, subject: string): Promise<string> {
  return insertMail(ctx.db, {
    purpose: 'opt-in',
    to_address: to,
    subject,
    text_body: 'Please confirm your subscription to the TGG newsletter.',
    html_body: '<p>Please confirm your subscription to the TGG newsletter.</p>',
    organization_id: null,
  });
}

function mailRow(id: string) {
  return ctx.db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

beforeEach(() => {
  received.length = 0;
  rcptAttempts.length = 0;
  smtp.rcptPolicy = () => undefined;
});

describe('mail.send over SMTP', () => {
  it('delivers a queued mail once, to the right recipient, and marks the row sent', async () => {
    const runtime = await started(await ctx.start({ roles: ['mail'], config: smtpConfig }));
    expect(runtime.deps.mailer.name).toBe('smtp');
    const id = await queueMail('klaas.bakker@example.com', 'Confirm your subscription');
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId: id });
    const queue = runtime.deps.queues.get('mail');

    await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 'the job to complete');
    expect((await queue.getJob(jobId))?.returnvalue).toEqual({ sent: 1, failed: 0 });
    expect(received).toHaveLength(1);
    expect(received[0]?.from).toBe('noreply@tgg.test');
    expect(received[0]?.to).toEqual(['klaas.bakker@example.com']);
    expect(received[0]?.raw).toMatch(/^Subject: Confirm your subscription$/m);
    expect(received[0]?.raw).toMatch(/^To: klaas\.bakker@example\.com$/m);
    expect(received[0]?.raw).toContain('Please confirm your subscription to the TGG newsletter.');

    const row = await mailRow(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, error_code: null });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(row.provider_message_id).toMatch(/^<.+@.+>$/);
    expect(received[0]?.raw).toContain(`Message-ID: ${row.provider_message_id ?? ''}`);

    // A second enqueue of the same row (a retried request, the reconciler) sends nothing more.
    await queue.remove(jobId);
    const again = await runtime.deps.queues.enqueue('mail.send', { messageId: id });
    await waitFor(async () => (await queue.getJobState(again)) === 'completed', 'the second job to complete');
    expect((await queue.getJob(again))?.returnvalue).toEqual({ sent: 0, failed: 0 });
    expect(received).toHaveLength(1);
    expect(await ctx.db.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
  });

  it("marks the row failed with 'smtp-550' when the server refuses the recipient, without retrying", async () => {
    smtp.rcptPolicy = () => ({ code: 550, message: 'No such user here' });
    const runtime = await started(await ctx.start({ roles: ['mail'], config: smtpConfig }));
    const id = await queueMail('nobody@example.com', 'Confirm your subscription');
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId: id });
    const queue = runtime.deps.queues.get('mail');

    await waitFor(async () => {
      const state = await queue.getJobState(jobId);
      return state === 'completed' || state === 'failed';
    }, 'the job to finish');
    const job = await queue.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.returnvalue).toEqual({ sent: 0, failed: 1 });
    expect(await mailRow(id)).toMatchObject({ status: 'failed', error_code: 'smtp-550', attempts: 1, provider_message_id: null, sent_at: null });
    expect(rcptAttempts).toEqual(['nobody@example.com']);
    expect(received).toHaveLength(0);
  });

  it("puts the row back to 'queued' on a 451 and sends it when the retry is accepted", async () => {
    smtp.rcptPolicy = (_address, attempt) => (attempt === 1 ? { code: 451, message: 'Try again later' } : undefined);
    const runtime = await started(await ctx.start({ roles: ['mail'], config: smtpConfig }));
    const id = await queueMail('greylisted@example.com', 'Confirm your subscription');
    // A long backoff keeps the retry waiting until the test promotes it.
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId: id }, { backoff: { type: 'fixed', delay: 60_000 } });
    const queue = runtime.deps.queues.get('mail');

    await waitFor(async () => (await queue.getJobState(jobId)) === 'delayed', 'the job to wait for its retry');
    expect(await mailRow(id)).toMatchObject({ status: 'queued', error_code: 'smtp-451', attempts: 1 });
    const job = await queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBeTruthy();
    expect(job?.failedReason).not.toContain('greylisted');
    expect(received).toHaveLength(0);

    await job?.promote();
    await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 'the retry to complete');
    expect(await mailRow(id)).toMatchObject({ status: 'sent', error_code: null, attempts: 2 });
    expect(rcptAttempts).toEqual(['greylisted@example.com', 'greylisted@example.com']);
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['greylisted@example.com']);
  });
});

describe('mail.send without SMTP_URL', () => {
  it('writes the raw message to the outbox, listed and served by /ops/outbox', async () => {
    const runtime = await started(await ctx.start({ roles: ['web', 'mail'] }));
    expect(runtime.deps.mailer.name).toBe('outbox');
    const id = await queueMail('marie.jansen@example.com', 'Outbox subject');
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId: id });
    await waitFor(async () => (await runtime.deps.queues.get('mail').getJobState(jobId)) === 'completed', 'the job to complete');

    const row = await mailRow(id);
    expect(row.status).toBe('sent');
    const outbox = await ctx.db.selectFrom('mail_outbox').selectAll().where('message_id', '=', row.provider_message_id ?? '').execute();
    expect(outbox).toHaveLength(1);
    const mail = outbox[0]!;
    expect(mail).toMatchObject({ envelope_to: ['marie.jansen@example.com'], subject: 'Outbox subject' });
    expect(mail.raw).toMatch(/^Subject: Outbox subject$/m);
    expect(mail.raw).toMatch(/^To: marie\.jansen@example\.com$/m);
    expect(mail.raw).toMatch(/^MIME-Version: 1\.0$/m);
    expect(mail.raw).toContain(`Message-ID: ${mail.message_id}`);
    expect(received).toHaveLength(0);

    const url = baseUrl(runtime);
    const auth = opsAuth(ctx);
    expect((await fetch(`${url}/ops/outbox`)).status).toBe(401);
    expect((await fetch(`${url}/ops/outbox`, { headers: { authorization: basic(ctx.config.ops.user, 'wrong') } })).status).toBe(401);

    const list = await fetch(`${url}/ops/outbox`, { headers: { authorization: auth } });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { items: { id: string; to: string[]; subject: string; createdAt: string }[] };
    expect(body.items).toContainEqual({ id: mail.id, to: ['marie.jansen@example.com'], subject: 'Outbox subject', createdAt: mail.created_at.toISOString() });

    const one = await fetch(`${url}/ops/outbox/${mail.id}`, { headers: { authorization: auth } });
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(await one.text()).toBe(mail.raw);

    const missing = await fetch(`${url}/ops/outbox/00000000-0000-4000-8000-000000000000`, { headers: { authorization: auth } });
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
  });
});
