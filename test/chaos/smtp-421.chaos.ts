// Chaos case 5: the SMTP relay answering 421 to every recipient for a minute mid-campaign.
// The campaign slows (each deferred mail backs off, MAIL_RETRY_BASE_MS=5000: 5+10+20+40 s
// outlasts the minute within the 5 attempts), is not paused for ops, and resumes when the
// relay takes mail again: every subscriber mailed once, none failed. About 2.5 minutes.
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { campaignWhen, type CampaignBody } from '../helpers/newsletter.js';
import { startSmtp } from '../helpers/smtp.js';
import { mailFleet, startCampaign } from './campaign.js';
import { freePort } from './processes.js';

const SUBSCRIBERS = 2_000;
const DEFERRING_MS = 60_000;

const ctx = await createTestContext();
const smtp = await startSmtp();
const port = await freePort();
const platform = mailFleet(ctx, port, smtp, { MAIL_RETRY_BASE_MS: '5000', WORKER_CONCURRENCY: '1', RECONCILE_INTERVAL_MS: '2000' });
afterAll(async () => {
  await platform.stopAll();
  await smtp.close();
});

describe('chaos: the SMTP relay answering 421 for a minute mid-campaign', () => {
  it('slows down and resumes, nobody twice, none failed', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    const campaign = await startCampaign(ctx, port, platform, 'Chaos Koor', SUBSCRIBERS);
    const get = async () => (await campaign.call<CampaignBody>('get', `/v1/campaigns/${campaign.id}`, { auth: campaign.key })).body;

    await waitFor(() => Promise.resolve(smtp.received.length >= SUBSCRIBERS / 5), 'a fifth mailed', 120_000);
    smtp.rcptPolicy = () => ({ code: 421, message: 'Service not available, try again later' });
    const deferredFrom = smtp.rcptAttempts.length;
    const atStart = smtp.received.length;
    await new Promise((r) => setTimeout(r, DEFERRING_MS));
    const during = await get();
    const deferredAttempts = smtp.rcptAttempts.length - deferredFrom;
    // Mails in flight at the switch (RCPT TO accepted before it, their DATA ended after) still
    // arrive: up to the pool's connections. None whose RCPT came after it. Counting every mail
    // received after the switch failed the case at load 14 (5 arrived: the in-flight ones).
    const acceptedBefore = new Set(smtp.rcptAttempts.slice(0, deferredFrom));
    expect(smtp.received.slice(atStart).flatMap((m) => m.to).filter((to) => !acceptedBefore.has(to))).toEqual([]);
    expect(during.status).toBe('sending');
    expect(during.counts.failed ?? 0).toBe(0);
    expect(during.counts.queued).toBeGreaterThan(0);
    smtp.rcptPolicy = () => undefined;

    const done = await campaignWhen(campaign.call, campaign.key, campaign.id, (c) => c.status === 'completed', 240_000);
    const recipients = smtp.received.flatMap((m) => m.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(SUBSCRIBERS);
    expect(done.counts).toMatchObject({ sent: SUBSCRIBERS, queued: 0, sending: 0, failed: 0, unknown: 0 });
    console.log(`chaos 5: 421 from ${atStart} mailed for ${DEFERRING_MS} ms (${deferredAttempts} RCPT deferred); during ${JSON.stringify(during.counts)}; end ${JSON.stringify(done.counts)}`);
  });
});
