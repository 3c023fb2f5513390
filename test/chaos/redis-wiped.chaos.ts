// Chaos case 2: Redis loses every key of the platform's prefix in the middle of a campaign (as
// a restart without persistence would; here every key of this test's prefix deleted, never the
// shared Redis's other keys). The reconciler rebuilds the jobs from Postgres and finishes the
// campaign: every subscriber mailed once, nobody twice, none missed. About 1.5 minutes.
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { campaignWhen } from '../helpers/newsletter.js';
import { startSmtp } from '../helpers/smtp.js';
import { mailFleet, startCampaign } from './campaign.js';
import { freePort } from './processes.js';

/** Three chunks of 1,000 (the campaign chunk size). */
const SUBSCRIBERS = 3_000;

const ctx = await createTestContext();
const smtp = await startSmtp();
const port = await freePort();
const platform = mailFleet(ctx, port, smtp, { WORKER_CONCURRENCY: '1', JOB_LOCK_MS: '5000', RECONCILE_INTERVAL_MS: '2000' });
afterAll(async () => {
  await platform.stopAll();
  await smtp.close();
});

describe('chaos: Redis loses every key of the prefix mid-campaign', () => {
  it('is finished by the reconciler, every subscriber mailed once', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    const campaign = await startCampaign(ctx, port, platform, 'Chaos Vereniging', SUBSCRIBERS);

    await waitFor(() => Promise.resolve(smtp.received.length >= SUBSCRIBERS / 6), 'a sixth mailed', 120_000);
    const keys = await ctx.redis.keys(`${ctx.prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await ctx.redis.del(...keys);
    const atWipe = smtp.received.length;

    const done = await campaignWhen(campaign.call, campaign.key, campaign.id, (c) => c.status === 'completed', 240_000);
    const recipients = smtp.received.flatMap((m) => m.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(SUBSCRIBERS);
    expect(done.counts).toMatchObject({ sent: SUBSCRIBERS, queued: 0, sending: 0, failed: 0, unknown: 0 });
    console.log(`chaos 2: ${keys.length} keys wiped at ${atWipe} mailed; end ${JSON.stringify(done.counts)}`);
  });
});
