// /openapi.json documents every route the Express app mounts, so the two cannot drift.
import type { Express } from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../api/app.js';
import { defineRoute } from '../api/route.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';

const ctx = await createTestContext();

const testRoute = defineRoute({
  method: 'put',
  path: '/test/items/{id}',
  summary: 'Test only: a route added through the app extension',
  tags: ['test'],
  security: 'ops-write',
  params: z.object({ id: z.uuid() }),
  body: z.object({ name: z.string() }),
  responses: { 204: { description: 'stored' } },
  handler: () => undefined,
});

const runtime = await ctx.start({ roles: ['web'], app: { routes: [testRoute] } });

interface Operation {
  security?: Record<string, unknown>[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

const operations = (document: OpenApiDocument) =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ route: `${method} ${path}`, operation })));

/** The routes that answer without Postgres or Redis (`selfContained`). */
const SELF_CONTAINED = [
  'get /healthz',
  'get /openapi.json',
  'get /ops/status',
  'get /public/password-reset',
  'get /public/privacy-requests',
  'get /public/register',
];

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every (method, path) mounted as an Express route, in OpenAPI form. */
function mountedRoutes(app: Express): string[] {
  const stack = (app.router as unknown as { stack: RouteLayer[] }).stack;
  return stack.flatMap(({ route }) =>
    route ? Object.keys(route.methods).map((method) => `${method} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
}

function documented(document: OpenApiDocument): Set<string> {
  return new Set(Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)));
}

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl(runtime)}/openapi.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.paths['/ops/outbox/{id}']?.get).toBeDefined();
  });

  it('documents every route mounted on the Express app, the test-only one included', async () => {
    const document = await fetchDocument();
    const mounted = mountedRoutes(createApp(runtime.deps, { routes: [testRoute] }));
    expect(mounted).toContain('put /test/items/{id}');
    expect(mounted).toContain('get /healthz');
    const missing = mounted.filter((route) => !documented(document).has(route));
    expect(missing).toEqual([]);
  });

  it('would notice a route mounted around the declarations', async () => {
    const document = await fetchDocument();
    const app = createApp(runtime.deps);
    app.get('/undeclared/:id', (_req, res) => void res.end());
    const missing = mountedRoutes(app).filter((route) => !documented(document).has(route));
    expect(missing).toEqual(['get /undeclared/{id}']);
  });

  it('serves the Swagger UI at /docs/', async () => {
    const response = await fetch(`${baseUrl(runtime)}/docs/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('documents the 503 problem of a dependency away, with Retry-After, on every route that reads Postgres or Redis', async () => {
    const all = operations(await fetchDocument());
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((o) => !o.operation.responses['503']).map((o) => o.route).sort()).toEqual(SELF_CONTAINED);
    const problems = all.filter((o) => o.operation.responses['503'] && o.route !== 'get /readyz');
    const undocumented = problems.filter((o) => {
      const answer = o.operation.responses['503'];
      return answer?.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/Problem' || !answer.headers?.['Retry-After'];
    });
    expect(undocumented.map((o) => o.route)).toEqual([]);
    // /readyz says which dependency, in its own JSON.
    expect(all.find((o) => o.route === 'get /readyz')?.operation.responses['503']?.content?.['application/json']).toBeDefined();
  });

});
