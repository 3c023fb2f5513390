// Issue 17: the dashboard in a real browser (playwright-core driving Debian's Chromium). Ops log
// in to /ops/queues, see every queue, retry a failed job and find the retry in the audit log;
// the read-only login has its retry refused; no page shows a phone number, address or text.
// Screenshots of each page go to test/artifacts/ (ignored by git).
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../queues/names.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';
import { startSmtp } from './helpers/smtp.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';
const FAILING_JOB = 'seeded-failing-job';
const READONLY = { username: 'watcher', password: 'watcher-password-1' };

const ctx = await createTestContext({ OPS_READONLY_USER: READONLY.username, OPS_READONLY_PASSWORD: READONLY.password });
const smtp = await startSmtp();
const runtime = await ctx.start({ roles: ['web', 'sms'], config: ctx.configWith({ SMTP_URL: smtp.url }) });
const url = baseUrl(runtime);
const call = caller(runtime);
const OPS = { username: ctx.config.ops.user, password: ctx.config.ops.password };

// Seed what must never show: numbers, an address, a text, an organisation's name.
const org = await newOrganization(call, ctx, 'Slagerij Visible-Name');
const TEXT = 'Geheime afspraak om 14:30 bij Kerkstraat 12';
const EMAIL = 'marieke.dijkstra@example.nl';
const sms = batches(call, () => org.key);
// The address gets the text by e-mail from the same chunk job whose card the dashboard shows.
const batchId = await sms.submit('Slagerij', TEXT, [{ phone: mobile(4711) }, { phone: mobile(4712) }, { email: EMAIL }]);
await sms.finished(batchId);
expect(smtp.received.flatMap((m) => m.to)).toEqual([EMAIL]);
const failedJobId = await runtime.deps.queues.get('sms').add('sms.send-chunk', { batchId: 'not-an-id', chunk: 0 }, { jobId: FAILING_JOB }).then((j) => j.id ?? '');
await waitFor(async () => (await runtime.deps.queues.get('sms').getJobState(failedJobId)) === 'failed', 'the seeded job to fail');
const SECRETS = [mobile(4711), mobile(4711).slice(3), TEXT, 'Kerkstraat', EMAIL, 'Visible-Name'];

mkdirSync(ARTIFACTS, { recursive: true });
const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox'] });
afterAll(async () => {
  await browser.close();
  await runtime.stop();
  await smtp.close();
});

async function pageAs(credentials: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1400, height: 1000 } });
  return context.newPage();
}

function retryButton(page: Page) {
  return page.getByText(FAILING_JOB, { exact: true }).locator('xpath=ancestor::*[.//button][1]').locator('button').first();
}

/** Takes the page's screenshot and checks that nothing personal is in what it shows or holds. */
async function shows(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-${name}.png`, fullPage: true });
  const html = await page.content();
  const text = await page.innerText('body');
  for (const secret of SECRETS) {
    expect(html, `${name} holds ${secret}`).not.toContain(secret);
    expect(text, `${name} shows ${secret}`).not.toContain(secret);
  }
}

describe('the dashboard in Chromium', () => {
  it('shows ops every queue, with no personal data', { timeout: 90_000 }, async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const page = await pageAs(OPS);
    await page.goto(`${url}/ops/queues`);
    for (const queue of QUEUE_NAMES) await expect.poll(() => page.getByText(queue, { exact: true }).first().isVisible(), { timeout: 15_000 }).toBe(true);
    await shows(page, 'overview');
    await page.goto(`${url}/ops/queues/queue/sms?status=completed`);
    await page.getByText('sms.send-chunk').first().waitFor({ timeout: 15_000 });
    await shows(page, 'sms-completed');
    await page.close();
  });

  it('lets ops retry a failed job, and the retry is in the audit log', { timeout: 90_000 }, async () => {
    const page = await pageAs(OPS);
    await page.goto(`${url}/ops/queues/queue/sms?status=failed`);
    await page.getByText(failedJobId, { exact: true }).first().waitFor({ timeout: 15_000 });
    await shows(page, 'sms-failed');
    // The job card's actions are icons: retry is the first of them on a failed job.
    await retryButton(page).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(async () => {
      const entries = await ctx.db.selectFrom('audit_log').select(['action', 'entity_id', 'actor_id']).where('action', '=', 'dashboard.retry').execute();
      return entries.find((e) => e.entity_id === `sms/${failedJobId}`);
    }, 'the retry in the audit log');
    await page.goto(`${url}/ops/audit?action=dashboard.`);
    const body = await page.innerText('body');
    expect(body).toContain('dashboard.retry');
    expect(body).toContain(`sms/${failedJobId}`);
    await shows(page, 'audit');
    await page.close();
  });

  it('refuses the read-only login’s retry, and shows it no retry button', { timeout: 90_000 }, async () => {
    await waitFor(async () => (await runtime.deps.queues.get('sms').getJobState(failedJobId)) === 'failed', 'the retried job to fail again');
    const page = await pageAs(READONLY);
    await page.goto(`${url}/ops/queues/queue/sms?status=failed`);
    await page.getByText(failedJobId, { exact: true }).first().waitFor({ timeout: 15_000 });
    await shows(page, 'readonly-sms-failed');
    for (const action of ['Retry all', 'Clean all']) expect(await page.getByRole('button', { name: action }).count()).toBe(0);
    // What the hidden button would send, from the page itself (same origin, its credentials).
    const status = await page.evaluate(async (path) => (await fetch(path, { method: 'PUT' })).status, `/ops/queues/api/queues/sms/${failedJobId}/retry/failed`);
    expect(status).toBe(403);
    const status2 = await page.evaluate(async () => (await fetch('/ops/status')).status);
    expect(status2).toBe(200);
    await page.goto(`${url}/ops/status`);
    await shows(page, 'readonly-status');
    await page.close();
    const retries = await ctx.db.selectFrom('audit_log').select('actor_id').where('action', '=', 'dashboard.retry').execute();
    expect(retries.map((r) => r.actor_id)).toEqual([OPS.username]);
  });
});
