// Issue 17: the family metrics that test/ops-metrics.test.ts does not read, read with their
// values: CDR rows and uploads parsed (worker-invoices), the SMPP sessions' state and window
// use (worker-sms), and what the reconciler re-enqueued (scheduler).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileOnce } from '../workers/core/reconciler.js';
import { DUE_WORK } from '../workers/due-work.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { basic } from './helpers/http.js';
import { scrape, valueOf } from './helpers/metrics.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';
import { startSmsc } from './helpers/smsc.js';
import { finished, thisMonth, uploadRaw } from './helpers/tem.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web', 'invoices'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Metrics Gemeente');
const auth = { authorization: basic(ctx.config.ops.user, ctx.config.ops.password) };

/** The value of the first sample of `name` whose labels include `labels` (NaN: none). */
const sample = async (port: number | undefined, name: string, labels: Record<string, string> = {}) => valueOf(await scrape(port, auth.authorization), name, labels);

describe('worker-invoices', () => {
  it('counts the CDR rows it stored and the upload it parsed', async () => {
    const [, month, year] = thisMonth(1, 1).split('-');
    const file = readFileSync(new URL('fixtures/cdr/sample-nl-carrier-cdr.csv', import.meta.url), 'utf8').replaceAll('-01-2026', `-${month}-${year}`);
    const upload = await uploadRaw(runtime, org.key, file);
    expect(upload.status).toBe(202);
    const done = await finished(call, org.key, upload.body.id);
    expect(done.status).toBe('parsed');
    // The job counts its outcome after the upload's status committed: wait for the count, not the status.
    await waitFor(async () => (await sample(runtime.port, 'tgg_tem_uploads_total', { kind: 'cdr', outcome: 'parsed' })) >= 1, 'the parse counted');
    expect(await sample(runtime.port, 'tgg_tem_rows_total', { kind: 'cdr', result: 'stored' })).toBe(done.rowsStored);
    expect(await sample(runtime.port, 'tgg_tem_rows_total', { kind: 'cdr', result: 'refused' })).toBe(done.rowsRefused);
    expect(await sample(runtime.port, 'tgg_tem_uploads_total', { kind: 'cdr', outcome: 'parsed' })).toBe(1);
  });
});

describe('the reconciler', () => {
  it('counts the jobs it put back after Redis lost them, by source', async () => {
    const before = (await sample(runtime.port, 'tgg_reconciler_enqueued_total', { source: 'sms' })) || 0;
    // No sms worker yet: the batch's job waits in Redis, and is lost with it.
    const id = await batches(call, () => org.key).submit('TGG', 'Nieuwe afspraak', [{ phone: mobile(100) }]);
    await runtime.deps.queues.get('sms').obliterate({ force: true });
    const report = await reconcileOnce(runtime.deps, DUE_WORK);
    expect(report?.enqueued).toBeGreaterThan(0);
    expect(await sample(runtime.port, 'tgg_reconciler_enqueued_total', { source: 'sms' })).toBe(before + 1);
    const jobs = await runtime.deps.queues.get('sms').getJobs(['waiting', 'prioritized']);
    expect(jobs.map((j) => [j.name, (j.data as { batchId: string }).batchId])).toEqual([['sms.send-chunk', id]]);
    // Not for the SMPP case below to send: its window count is of its own five messages.
    expect((await call('post', `/v1/sms/batches/${id}/cancel`, { auth: org.key })).status).toBe(200);
  });
});

describe('worker-sms on SMPP', () => {
  it('shows each session up, the window in use while answers wait, and the sessions down when the SMSC goes', { timeout: 60_000 }, async () => {
    const smsc = await startSmsc();
    const worker = await ctx.start({ roles: ['sms'], config: ctx.configWith({ METRICS_PORT: '0', SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_SESSIONS: '2', SMPP_WINDOW: '7' }) });
    afterAll(async () => {
      await worker.stop();
      await smsc.close();
    });
    await waitFor(() => Promise.resolve(smsc.sessions() === 2), 'two sessions bound');
    for (const session of ['1', '2']) expect(await sample(worker.port, 'tgg_smpp_session_up', { session })).toBe(1);
    expect(await sample(worker.port, 'tgg_smpp_window_in_use')).toBe(0);

    smsc.responseDelayMs = 3_000;
    await batches(call, () => org.key).submit('TGG', 'Even geduld', Array.from({ length: 5 }, (_, i) => ({ phone: mobile(i) })));
    const inUse = await waitFor(async () => {
      const n = await sample(worker.port, 'tgg_smpp_window_in_use');
      return n > 0 ? n : undefined;
    }, 'submits waiting for their answer', 30_000);
    expect(inUse).toBeLessThanOrEqual(5);

    await smsc.close();
    await waitFor(async () => (await sample(worker.port, 'tgg_smpp_session_up', { session: '1' })) === 0 && (await sample(worker.port, 'tgg_smpp_session_up', { session: '2' })) === 0, 'both sessions down', 30_000);
  });
});
