// /openapi.json, generated from the route declarations and their zod schemas.
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Route, Security } from './route.js';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors` names each offending field.' });

const securityOf: Record<Security, RouteConfig['security']> = {
  none: [],
  ops: [{ opsBasic: [] }],
  'ops-write': [{ opsBasic: [] }],
  bearer: [{ bearer: [] }],
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

/** api/unavailable.ts: what any route that reads Postgres or Redis (its own guards included) answers while one is away. */
const unavailable = {
  ...problem('Postgres or Redis is not reachable; nothing was done. `type` is `/problems/unavailable`; try again after Retry-After'),
  headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const } } },
};

export function buildOpenApi(routes: readonly Route[], info: { version: string; serverUrl: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'opsBasic', { type: 'http', scheme: 'basic', description: 'TGG ops credentials' });
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API key or a session token' });
  for (const route of routes) {
    const responses: RouteConfig['responses'] = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = spec.schema
        ? { description: spec.description, content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } }
        : { description: spec.description };
    }
    if (route.params || route.query || route.body || route.multipart) responses['400'] ??= problem('Invalid input; `errors` names the fields');
    if (route.security !== 'none') responses['401'] ??= problem('Missing or wrong credentials');
    if (route.security === 'ops-write') responses['403'] ??= problem('The read-only ops login cannot do this');
    if (route.scope) responses['403'] ??= problem(`The key or session lacks the ${route.scope} scope`);
    if (route.security === 'bearer') responses['429'] ??= problem('Rate limit reached; see Retry-After');
    if (route.body || route.multipart) responses['413'] ??= problem('The body is larger than allowed');
    if (!route.selfContained) responses['503'] ??= unavailable;
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      ...(route.scope && { description: `Needs the \`${route.scope}\` scope.` }),
      tags: [...route.tags],
      security: securityOf[route.security],
      request: {
        ...(route.params && { params: route.params as never }),
        ...(route.query && { query: route.query as never }),
        ...(route.body && { body: { required: true, content: { 'application/json': { schema: route.body } } } }),
        ...(route.multipart && { body: { required: true, content: { 'multipart/form-data': { schema: route.multipart } } } }),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'TGG platform API',
      version: info.version,
      description: 'Bulk SMS, telecom expense management, newsletter and privacy requests. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: info.serverUrl }],
  });
}
