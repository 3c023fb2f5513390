// helmet run once at start (api/fixed-headers.ts): every answer gets exactly the headers helmet
// itself would set, and a middleware whose headers depend on the request is refused at start.
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { fixedHeaders } from '../api/fixed-headers.js';

async function headersOf(middleware: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.text();
    const headers = Object.fromEntries(res.headers);
    delete headers.date;
    return headers;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('fixedHeaders', () => {
  it('sets what helmet sets, header for header', async () => {
    const options = { contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } } };
    const own = await headersOf(helmet(options));
    expect(own['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(own['x-powered-by']).toBeUndefined();
    expect(await headersOf(fixedHeaders(helmet(options)))).toEqual(own);
  });

  it('refuses at start a middleware that reads the request or calls next() later', () => {
    expect(() => fixedHeaders((req, _res, next) => next(req.get('x') ? undefined : undefined))).toThrow();
    expect(() => fixedHeaders((_req, _res, next) => setTimeout(next, 1))).toThrow(/did not call next/);
  });
});
