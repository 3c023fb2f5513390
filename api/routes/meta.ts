// /metrics (ops) and /openapi.json: the platform describing itself.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { defineRoute, type Route } from '../route.js';

export function metaRoutes(deps: Deps, openapi: () => unknown): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of this process',
      tags: ['ops'],
      security: 'ops',
      responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } },
      handler: async () => ({ body: await deps.metrics.registry.metrics(), contentType: deps.metrics.registry.contentType }),
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tags: ['meta'],
      security: 'none',
      responses: { 200: { description: 'OpenAPI 3.1', schema: z.object({ openapi: z.string() }).loose() } },
      selfContained: true,
      handler: () => ({ body: openapi() }),
    }),
  ];
}
