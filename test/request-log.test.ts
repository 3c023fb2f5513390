// Request logs carry no personal data: IPs truncated (IPv4 /24, IPv6 /48), no headers, no raw paths.
import { describe, expect, it } from 'vitest';
import { truncateIp } from '../api/client-ip.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { opsAuth } from './helpers/identity.js';

const ctx = await createTestContext();

describe('truncateIp', () => {
  it.each([
    ['203.0.113.57', '203.0.113.0/24'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::/48'],
    ['2a00:1450:4001:81c::200e', '2a00:1450:4001::/48'],
    ['::ffff:203.0.113.57', '203.0.113.0/24'],
    ['::FFFF:198.51.100.200', '198.51.100.0/24'],
    ['2001:db8::1', '2001:db8::/48'],
    ['::1', '::/48'],
  ])('truncates %s to %s', (ip, expected) => {
    expect(truncateIp(ip)).toBe(expected);
  });

  it.each([undefined, '', 'unknown', 'not an ip', '999.1.1.1', '203.0.113.57, 10.0.0.1', '1:2:3:4:5:6:7:8:9', '203.0.113.57:8080', '64:ff9b::203.0.113.57'])(
    'answers unknown for %j',
    (ip) => {
      expect(truncateIp(ip)).toBe('unknown');
    },
  );
});

describe('request log', () => {
  it('logs the proxied client IP truncated, and neither the full IP, the credentials nor the raw path', async () => {
    const runtime = await ctx.start({ roles: ['web'], config: ctx.configWith({ TRUST_PROXY: '1' }) });
    const authorization = opsAuth(ctx);
    const headers = { 'x-forwarded-for': '203.0.113.57', authorization };

    expect((await fetch(`${baseUrl(runtime)}/ops/outbox`, { headers })).status).toBe(200);
    expect((await fetch(`${baseUrl(runtime)}/public/unsubscribe/alice@example.com`, { headers })).status).toBe(404);

    const requests = await waitFor(() => {
      const lines = ctx.logs.filter((line) => line.msg === 'request');
      return Promise.resolve(lines.length >= 2 ? lines : undefined);
    }, 'two request log lines');
    expect(requests.map(({ method, route, status, ip }) => ({ method, route, status, ip }))).toEqual([
      { method: 'GET', route: '/ops/outbox', status: 200, ip: '203.0.113.0/24' },
      { method: 'GET', route: '(unmatched)', status: 404, ip: '203.0.113.0/24' },
    ]);

    const everything = ctx.logs.map((line) => JSON.stringify(line)).join('\n');
    for (const secret of ['203.0.113.57', authorization, authorization.slice('Basic '.length), ctx.config.ops.password, 'alice@example.com']) {
      expect(everything).not.toContain(secret);
    }
  });
});
