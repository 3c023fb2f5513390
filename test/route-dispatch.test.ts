// mountRoutes (api/route.ts) hands a request to the routes of its path's first two segments
// only, a Router each, instead of walking every route mounted before its own (issue 17: the
// layer walk was about 4 % of the web's CPU). Which route answers must not change: order within a
// key, Express's case-insensitive and trailing-slash matching, HEAD by GET, fall-through.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute, mountRoutes, requestKey, routeKey, type Route } from '../api/route.js';

const answer = (name: string): Route['handler'] => (input) => ({ body: { name, params: input.params ?? null } });
const route = (method: Route['method'], path: string, name: string, params?: z.ZodType): Route =>
  defineRoute({ method, path, summary: name, tags: [], security: 'none', responses: { 200: { description: 'ok' } }, ...(params && { params }), handler: answer(name) });

const routes: Route[] = [
  route('get', '/one', 'one'),
  route('get', '/x/y/fixed', 'fixed'),
  route('get', '/x/y/{id}', 'param', z.object({ id: z.string() })),
  route('post', '/x/y/{id}', 'post-param', z.object({ id: z.string() })),
  route('get', '/x/z', 'z'),
  route('get', '/a/b/c/{id}/d', 'deep', z.object({ id: z.string() })),
];
const app = express();
mountRoutes(app, routes, { guards: { none: [], ops: [], 'ops-write': [], bearer: [] }, scopeGuard: () => (_req, _res, next) => next(), jsonLimit: '1kb', bulkJsonLimit: '1kb' });
app.use((_req, res) => void res.status(404).json({ name: 'fell through' }));
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function call(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { method });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('routes dispatched by their first two segments', () => {
  it('keys routes and requests alike', () => {
    expect(routeKey('/v1/sms/batches/{id}')).toBe('v1/sms');
    expect(routeKey('/healthz')).toBe('healthz');
    expect(routeKey('/v1/{id}')).toBeNull();
    expect(['/v1/sms/batches?x=1', '/V1/SMS', '/v1/sms/', '/v1/sms/batches/'].map(requestKey)).toEqual(['v1/sms', 'v1/sms', 'v1/sms', 'v1/sms']);
    expect(['/healthz', '/healthz/', '/healthz?x=/y/z'].map(requestKey)).toEqual(['healthz', 'healthz', 'healthz']);
  });

  it('mounts one dispatch layer, not a layer per route (old code: six route layers on the app)', () => {
    const layers = (app.router as unknown as { stack: { route?: unknown }[] }).stack;
    expect(layers.filter((l) => l.route).length).toBe(0);
  });

  it('answers each request with the route Express would have chosen', async () => {
    expect(await call('GET', '/one')).toEqual({ status: 200, body: { name: 'one', params: null } });
    expect((await call('GET', '/ONE/')).body).toMatchObject({ name: 'one' });
    expect((await call('GET', '/one?two=/x/y')).body).toMatchObject({ name: 'one' });
    expect((await call('GET', '/x/y/fixed')).body).toMatchObject({ name: 'fixed' });
    expect((await call('GET', '/x/y/other')).body).toEqual({ name: 'param', params: { id: 'other' } });
    expect((await call('POST', '/x/y/other')).body).toEqual({ name: 'post-param', params: { id: 'other' } });
    expect((await call('GET', '/X/Z/')).body).toMatchObject({ name: 'z' });
    expect((await call('GET', '/a/b/c/7/d')).body).toEqual({ name: 'deep', params: { id: '7' } });
    expect((await call('HEAD', '/x/z')).status).toBe(200);
  });

  it('lets what matches no route fall through to what is mounted after', async () => {
    for (const path of ['/one/two', '/x', '/x/y', '/x/y/a/b', '/nowhere', '/x//y/fixed', '/a/b/c/7']) {
      expect(await call('GET', path), path).toEqual({ status: 404, body: { name: 'fell through' } });
    }
    expect((await call('DELETE', '/x/y/other')).status).toBe(404);
  });
});
