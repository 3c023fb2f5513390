// Rate limits without a Redis round trip per request where one is not needed: the per-key API
// limit leases its points (api/leased-limit.ts), so a busy key costs one Redis call per lease,
// and several web processes sharing Redis still hand out no more than the limit between them;
// a right ops login is checked against both its throttles with one MGET.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLeasedLimiter, maxLeaseOf } from '../api/leased-limit.js';
import { createLimiter } from '../api/rate-limit.js';
import { createTestContext } from './helpers/context.js';
import { REDIS_URL } from './helpers/env.js';
import { caller, newKey, newOrganization, opsAuth } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const org = await newOrganization(caller(web), ctx, 'Drukkerij Leased');
const PROBE = '/v1/api-keys';

/**
 * Runs `fn`, counting the Redis commands on keys under `keyPart` meanwhile (MONITOR on a
 * connection of its own); with `scripts`, only the scripts run (MONITOR lists a script's own
 * commands too).
 */
async function redisCommandsDuring(keyPart: string, fn: () => Promise<void>, scripts = false): Promise<number> {
  // Not client.monitor(): ioredis marks that connection as monitoring a tick after MONITOR's OK,
  // so the lines of other clients' commands that arrive with the OK (the shared Redis is busy in
  // CI) are taken for replies to no command: "Command queue state error" rejected the call, and
  // the connection, left open, threw it again for every line after. Here the error listener is
  // there from the start and the count starts once the connection is monitoring. The same lines
  // still arriving as it disconnects are not this test's concern either.
  const monitor = new Redis(REDIS_URL, { monitor: true });
  let commands = 0;
  let counting = false;
  try {
    await new Promise<void>((resolve, reject) => {
      monitor.on('error', (error: Error) => {
        if (!counting && !error.message.startsWith('Command queue state error')) reject(error);
      });
      monitor.once('monitoring', () => resolve());
    });
    monitor.on('monitor', (_time: string, args: string[]) => {
      if ((!scripts || /^eval/i.test(args[0] ?? '')) && args.some((arg) => arg.includes(keyPart))) commands += 1;
    });
    counting = true;
    await fn();
    // MONITOR lines arrive after the replies: let the last ones in.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    monitor.disconnect();
  }
  return commands;
}

describe('per-key rate limit, leased', () => {
  it("takes a busy key's points from Redis in leases, not with a call per request", async () => {
    const key = await newKey(caller(web), org.key, { name: 'busy', scopes: ['admin'] });
    const call = caller(web);
    const commands = await redisCommandsDuring(`${ctx.prefix}:ratelimit:api`, async () => {
      for (let i = 0; i < 60; i++) expect((await call('get', PROBE, { auth: key.key })).status).toBe(200);
    }, true);
    // Leases double while they run out fast (1, 2, 4, ... up to 60 points at the default 6,000 a minute).
    expect(commands).toBeGreaterThan(0);
    expect(commands).toBeLessThan(15);
  });

  it('is one limit across two web processes sharing Redis', async () => {
    const config = ctx.configWith({ API_RATE_LIMIT: '3' });
    const [a, b] = await Promise.all([ctx.start({ roles: ['web'], config }), ctx.start({ roles: ['web'], config })]);
    try {
      const key = await newKey(caller(web), org.key, { name: 'shared', scopes: ['admin'] });
      const [callA, callB] = [caller(a), caller(b)];
      expect((await callA('get', PROBE, { auth: key.key })).status).toBe(200);
      expect((await callB('get', PROBE, { auth: key.key })).status).toBe(200);
      expect((await callA('get', PROBE, { auth: key.key })).status).toBe(200);
      const refused = await callB('get', PROBE, { auth: key.key });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await callA('get', PROBE, { auth: key.key })).status).toBe(429);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('never hands out more than the limit from two processes leasing at once, and strands at most a lease each', async () => {
    const points = 1000;
    const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    try {
      // Ready first: until then each limiter would count in its own memory (the insurance limiter).
      await Promise.all(connections.map((redis) => redis.ping()));
      const prefix = `${ctx.prefix}:ratelimit:lease-test`;
      const limiters = connections.map((redis) => createLeasedLimiter(createLimiter(redis, prefix, points, 60)));
      let granted = 0;
      let refused = 0;
      // 30 waves of 50 concurrent requests, alternating between the processes: 1,500 for 1,000 points.
      for (let wave = 0; wave < 30; wave++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (limiters[(wave + i) % 2] ?? limiters[0])!.consume('api_key:one').then(
              () => (granted += 1),
              (error: { status?: number }) => {
                expect(error.status).toBe(429);
                refused += 1;
              },
            ),
          ),
        );
      }
      expect(granted + refused).toBe(1500);
      expect(granted).toBeLessThanOrEqual(points);
      expect(granted).toBeGreaterThanOrEqual(points - 2 * (maxLeaseOf(points) - 1));
      expect(Number(await ctx.redis.get(`${prefix}:api_key:one`))).toBeGreaterThanOrEqual(granted);
    } finally {
      for (const redis of connections) redis.disconnect();
    }
  });
});

describe('ops login throttle', () => {
  it('checks a right ops login against both its throttles with one Redis command', async () => {
    const call = caller(web);
    const commands = await redisCommandsDuring(`${ctx.prefix}:ratelimit:ops-login`, async () => {
      for (let i = 0; i < 5; i++) expect((await call('get', '/ops/outbox?limit=1', { auth: opsAuth(ctx) })).status).toBe(200);
    });
    // One MGET of the name's and the network's counters a request (a GET and a PTTL of each before).
    expect(commands).toBe(5);
  });
});
