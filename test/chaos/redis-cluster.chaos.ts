// Beyond one machine (issue 17): the platform's processes against a three-master Redis Cluster
// of our own (REDIS_URL=redis+cluster://…, QUEUE_PREFIX={tgg}), two worker-sms and two
// worker-mail processes sharing an SMS batch and a newsletter campaign: each message reaches
// the SMSC once and each subscriber the SMTP server once, and both processes of each family
// did part of it. A prefix without a hash tag is refused at start. About 60-90 s.
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestContext, waitFor } from '../helpers/context.js';
import { campaignWhen } from '../helpers/newsletter.js';
import { startSmsc } from '../helpers/smsc.js';
import { startSmtp } from '../helpers/smtp.js';
import { newCampaign } from './campaign.js';
import { chaosEnv, fleet, freePort, organisationOn } from './processes.js';
import { newBatch } from './sms-batch.js';
import { startRedisCluster } from './redis-cluster.js';

/** Two chunks of 1,000 each (the SMS and campaign chunk size): one for each worker process. */
const MESSAGES = 2_000;
const PREFIX = '{tgg}';

const ctx = await createTestContext();
const cluster = await startRedisCluster();
const smsc = await startSmsc();
const smtp = await startSmtp();
const port = await freePort();
const platform = fleet(chaosEnv(ctx, port, {
  REDIS_URL: cluster.url,
  QUEUE_PREFIX: PREFIX,
  SMS_PROVIDER: 'smpp',
  SMPP_URL: smsc.url,
  SMTP_URL: smtp.url,
  MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>',
  BOUNCE_DOMAIN: 'bounces.tgg.test',
  WORKER_CONCURRENCY: '1',
  RECONCILE_INTERVAL_MS: '2000',
}));
const client = new Cluster(cluster.ports.map((p) => ({ host: '127.0.0.1', port: p })), { redisOptions: { maxRetriesPerRequest: null } });
const queues = { sms: new Queue('sms', { connection: client, prefix: PREFIX }), mail: new Queue('mail', { connection: client, prefix: PREFIX }) };
afterAll(async () => {
  await platform.stopAll();
  await Promise.all(Object.values(queues).map((q) => q.close()));
  client.disconnect();
  await cluster.stop();
  await smsc.close();
  await smtp.close();
});

describe('chaos: the platform on a Redis Cluster, two workers per family', () => {
  it('refuses a QUEUE_PREFIX without a hash tag at start', async () => {
    const refused = platform.run('worker-sms', { QUEUE_PREFIX: 'tgg' });
    const code = await new Promise<number | null>((resolve) => refused.process.once('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(refused.output.join('')).toContain('QUEUE_PREFIX: must hold a hash tag on Redis Cluster');
  });

  it('sends every message and every mail exactly once, shared by both workers', async () => {
    onTestFailed(() => console.warn(platform.tails()));
    platform.run('web');
    platform.run('scheduler');
    for (let i = 0; i < 2; i++) {
      platform.run('worker-sms');
      platform.run('worker-mail');
    }
    const { call, org } = await organisationOn(platform, ctx, port, 'Cluster Bakkerij');
    // Both processes of each family listen before the work arrives.
    await waitFor(async () => (await queues.sms.getWorkersCount()) >= 2 && (await queues.mail.getWorkersCount()) >= 2, 'two workers on each queue', 60_000);

    const batchId = await newBatch(platform, call, org.key, MESSAGES);
    const campaignId = await newCampaign(platform, call, org.key, MESSAGES);

    await waitFor(
      async () => (await ctx.db.selectFrom('sms_batches').select('status').where('id', '=', batchId).executeTakeFirst())?.status === 'completed',
      'the batch to complete',
      180_000,
    );
    const done = await campaignWhen(call, org.key, campaignId, (c) => c.status === 'completed', 180_000);

    const destinations = smsc.received.map((r) => r.destination);
    expect(destinations).toHaveLength(MESSAGES);
    expect(new Set(destinations).size).toBe(MESSAGES);
    const statuses = await ctx.db.selectFrom('sms_messages').select('status').where('batch_id', '=', batchId).execute();
    expect(statuses.filter((s) => s.status === 'sent')).toHaveLength(MESSAGES);
    const recipients = smtp.received.flatMap((m) => m.to);
    expect(recipients).toHaveLength(MESSAGES);
    expect(new Set(recipients).size).toBe(MESSAGES);
    expect(done.counts).toMatchObject({ sent: MESSAGES, failed: 0, unknown: 0 });

    // Both SMPP sessions (one per worker-sms) submitted; both worker-mail processes ran a chunk.
    expect([...smsc.submitsBySession.values()].filter((n) => n > 0)).toHaveLength(2);
    const byProcess = async (queue: Queue, name: string) =>
      new Set((await queue.getJobs(['completed'])).filter((j) => j.name === name).map((j) => j.processedBy));
    expect((await byProcess(queues.sms, 'sms.send-chunk')).size).toBe(2);
    expect((await byProcess(queues.mail, 'newsletter.send-chunk')).size).toBe(2);
    // The platform's keys are in the cluster, none on the shared Redis.
    expect(await ctx.redis.keys(`${PREFIX}:*`)).toEqual([]);
  });
});
