// Bull Board at /ops/queues: behind the ops logins, and the read-only login cannot act, even by
// calling Bull Board's API routes directly.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PermanentJobError } from '../workers/core/errors.js';
import { loadAllHandlers } from '../workers/handlers.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl, basic } from './helpers/http.js';

const HANDLERS = await loadAllHandlers();

const ctx = await createTestContext();
const config = ctx.configWith({ OPS_READONLY_USER: 'auditor', OPS_READONLY_PASSWORD: 'auditor-password' });
const web = await ctx.start({ roles: ['web'], config });
const mail = web.deps.queues.get('mail');

const full = basic(config.ops.user, config.ops.password);
const readonly = basic('auditor', 'auditor-password');
const board = `${baseUrl(web)}/ops/queues`;

/** A mail.send job that a worker ran and that failed for good. */
async function failedMailJob(): Promise<string> {
  const worker = await ctx.start({
    roles: ['mail'],
    config,
    handlers: { ...HANDLERS, 'mail.send': () => Promise.reject(new PermanentJobError('test: refused')) },
  });
  const jobId = await web.deps.queues.enqueue('mail.send', { messageId: randomUUID() });
  await waitFor(async () => (await mail.getJobState(jobId)) === 'failed', `job ${jobId} to fail`);
  await worker.stop(); // nothing may take the job again once it is retried
  return jobId;
}

interface BoardQueues {
  queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[];
}

describe('dashboard', () => {
  it('asks for credentials without a login, and for a wrong one', async () => {
    for (const headers of [{}, { authorization: basic(config.ops.user, 'wrong') }] as Record<string, string>[]) {
      const response = await fetch(`${board}/api/queues`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    expect((await fetch(board)).status).toBe(401);
  });

  it('keeps the mail outbox (it holds password-reset links) from the read-only login', async () => {
    const outbox = board.replace('/ops/queues', '/ops/outbox');
    expect((await fetch(outbox, { headers: { authorization: readonly } })).status).toBe(403);
    expect((await fetch(outbox, { headers: { authorization: full } })).status).toBe(200);
  });

  it('shows every queue to the full ops login, writable, and to the read-only login, read-only', async () => {
    expect((await fetch(board, { headers: { authorization: full } })).status).toBe(200);
    for (const [authorization, readOnlyMode] of [[full, false], [readonly, true]] as const) {
      const response = await fetch(`${board}/api/queues`, { headers: { authorization } });
      expect(response.status).toBe(200);
      const { queues } = (await response.json()) as BoardQueues;
      expect(queues.map((q) => q.name).sort()).toEqual(['invoices', 'mail', 'maintenance', 'privacy', 'sms', 'sms-reports']);
      expect(queues.every((q) => q.readOnlyMode === readOnlyMode)).toBe(true);
    }
  });

  it('refuses a retry from the read-only login and lets the full ops login retry', async () => {
    const jobId = await failedMailJob();
    const retry = `${board}/api/queues/mail/${jobId}/retry`;

    const refused = await fetch(retry, { method: 'PUT', headers: { authorization: readonly } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAll = await fetch(`${board}/api/queues/mail/retry/failed`, { method: 'PUT', headers: { authorization: readonly } });
    expect(retryAll.status).toBe(403);
    expect(await mail.getJobState(jobId)).toBe('failed');
    expect(await mail.getJobCounts('failed')).toEqual({ failed: 1 });

    const retried = await fetch(retry, { method: 'PUT', headers: { authorization: full } });
    expect(retried.status).toBe(204);
    expect(await mail.getJobState(jobId)).toBe('waiting');
    expect(await mail.getJobCounts('failed', 'wait')).toEqual({ failed: 0, wait: 1 });

    // The retry is in the audit trail, with the login, the job and its outcome; the refused ones are not.
    const entries = await waitFor(async () => {
      const rows = await ctx.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'job').execute();
      return rows.some((row) => 'status' in row.details) ? rows : undefined;
    }, 'the audit entry and its outcome');
    expect(entries).toEqual([
      expect.objectContaining({ actor_type: 'ops', actor_id: ctx.config.ops.user, action: 'dashboard.retry', entity_id: `mail/${jobId}`, details: { method: 'PUT', status: 204, outcome: 'done' } }),
    ]);
  });
});
