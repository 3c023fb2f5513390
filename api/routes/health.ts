import { sql } from 'kysely';
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { within } from '../../workers/core/within.js';
import { defineRoute, type Route } from '../route.js';

export const CHECK_TIMEOUT_MS = 2_000;

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: z.enum(['ok', 'unavailable']), redis: z.enum(['ok', 'unavailable']) }),
});

export function healthRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'The process is alive',
      tags: ['health'],
      security: 'none',
      responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }) } },
      selfContained: true,
      handler: () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Postgres and Redis answer',
      tags: ['health'],
      security: 'none',
      responses: {
        200: { description: 'ready', schema: readiness },
        503: { description: 'a dependency does not answer; `checks` names it', schema: readiness },
      },
      handler: async () => {
        const [postgres, redis] = await Promise.all([
          within(sql`SELECT 1`.execute(deps.db), CHECK_TIMEOUT_MS).then(() => 'ok' as const, () => 'unavailable' as const),
          within(deps.queues.connection.ping(), CHECK_TIMEOUT_MS).then(() => 'ok' as const, () => 'unavailable' as const),
        ]);
        const ready = postgres === 'ok' && redis === 'ok';
        return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } } };
      },
    }),
  ];
}
