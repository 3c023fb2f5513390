// Issue 17, hostile input at the HTTP layer: a client that sends its headers or its body too
// slowly is cut off with 408; an oversized body is 413 problem+json on the API, the ops routes
// and the dashboard's API; CORS answers no origin unless CORS_ORIGINS names it.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { verdict } from '../workers/core/body-deadline.js';
import { createTestContext } from './helpers/context.js';
import { basic, baseUrl } from './helpers/http.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';

const ctx = await createTestContext({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', JSON_BODY_LIMIT: '10kb', BULK_JSON_BODY_LIMIT: '100kb' });
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Hostile Test');

/** Writes `chunks` one per interval on a raw socket; resolves with what the server answered and when it closed. */
function slowly(chunks: readonly string[], intervalMs: number): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(runtime.port ?? 0, '127.0.0.1');
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < chunks.length && !socket.destroyed) socket.write(chunks[i++] ?? '');
    }, intervalMs);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow clients', () => {
  it('cuts off a client that trickles its headers', async () => {
    const chunks = ['GET /healthz HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: a\r\n`)];
    const { answer, closedAfterMs } = await slowly(chunks, 250);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // About 2 s (the 1 s timeout, checked every second); the bounds here leave a loaded machine
    // seconds of slack and stay below what a missing cut would take: the trickle's own end (10 s
    // of headers here, 15 s of body below), Node's 30 s check or the defaults (20 s, 120 s).
    expect(closedAfterMs).toBeLessThan(9_000);
  });

  it('cuts off a client that trickles its body', async () => {
    const head = `POST /v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${org.key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    const { answer, closedAfterMs } = await slowly([head, ...Array.from({ length: 60 }, () => ' ')], 250);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(12_000);
  });

  it('cuts off a raw upload read by for-await that stalls after 1 KB of the 100 MB it claims (was held for ever)', async () => {
    const head = `POST /v1/invoices/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${org.key}\r\nContent-Type: text/csv\r\nContent-Length: 104857600\r\n\r\n`;
    const { answer, closedAfterMs } = await slowly([head, `Mobiel nummer;Datum;Verkeerssoort;Bedrag\r\n${'x'.repeat(1024)}`], 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(15_000);
  });

  it('lets a body that keeps arriving at a steady pace take longer than HTTP_REQUEST_TIMEOUT_MS', async () => {
    // 9,000 bytes in 30 pieces a tenth of a second apart: 3 s, past the 2 s a trickle gets, at 3 KB/s.
    const contact = JSON.stringify({ role: 'support', name: 'Steady Upload', email: 'steady@example.nl' });
    const body = contact + ' '.repeat(9_000 - contact.length);
    const head = `POST /v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${org.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const pieces = Array.from({ length: 30 }, (_, i) => body.slice(i * 300, (i + 1) * 300));
    const { answer, closedAfterMs } = await slowly([head, ...pieces], 100);
    expect(closedAfterMs).toBeGreaterThan(2_900);
    expect(answer).toMatch(/^HTTP\/1\.1 201/);
  });
});

describe('the body allowance', () => {
  const limits = { graceMs: 2_000, minBytesPerSecond: 1_000, idleMs: 5_000, tickMs: 1_000 };

  it('grows a second per minBytesPerSecond received; a gap over idleMs cuts whatever came before', () => {
    expect(verdict(limits, 2_500, 0, 0)).toBe('too-slow');
    expect(verdict(limits, 2_500, 0, 1_000)).toBe('ok');
    expect(verdict(limits, 60_000, 100, 100_000)).toBe('ok');
    expect(verdict(limits, 60_000, 5_001, 100_000)).toBe('idle');
  });
});

describe('oversized bodies', () => {
  const big = (bytes: number) => JSON.stringify({ name: 'x'.repeat(bytes) });

  it.each([
    ['POST', '/v1/contacts', () => `Bearer ${org.key}`, 20_000],
    ['POST', '/v1/sms/batches', () => `Bearer ${org.key}`, 200_000],
    ['POST', '/ops/organizations', () => opsAuth(ctx), 20_000],
    ['PUT', '/ops/queues/api/queues/sms/pause', () => opsAuth(ctx), 2_000_000],
  ])('%s %s: 413 problem+json', async (method, path, auth, bytes) => {
    const answer = await fetch(`${baseUrl(runtime)}${path}`, { method, headers: { authorization: auth(), 'content-type': 'application/json' }, body: big(bytes) });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('CORS', () => {
  it('answers no origin when CORS_ORIGINS is unset', async () => {
    const answer = await fetch(`${baseUrl(runtime)}/v1/contacts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${baseUrl(runtime)}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origins', async () => {
    const open = await ctx.start({ roles: ['web'], config: ctx.configWith({ CORS_ORIGINS: 'https://app.tgg.example' }) });
    const ask = (origin: string) =>
      fetch(`${baseUrl(open)}/v1/contacts`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', authorization: basic('x', 'y') } });
    expect((await ask('https://app.tgg.example')).headers.get('access-control-allow-origin')).toBe('https://app.tgg.example');
    expect((await ask('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    await open.stop();
  });
});
