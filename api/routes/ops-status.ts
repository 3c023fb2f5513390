// GET /ops/status: one JSON page for the person on call. Dependencies first, then the queues
// (from BullMQ's counters, never a scan), then each family's section (ops-status-sections.ts).
// A part that cannot be read says so in place: the page itself answers while anything does.
import { sql } from 'kysely';
import { z } from 'zod';
import { readDepths } from '../../queues/depths.js';
import type { Deps } from '../../workers/core/deps.js';
import { FAMILY_STATUS, type StatusSection } from '../ops-status-sections.js';
import { defineRoute, type Route } from '../route.js';
import { within } from '../../workers/core/within.js';
import { CHECK_TIMEOUT_MS } from './health.js';

async function timed(check: () => Promise<unknown>): Promise<{ status: 'ok' | 'unavailable'; ms: number }> {
  const started = performance.now();
  const status = await within(check(), CHECK_TIMEOUT_MS).then(() => 'ok' as const, () => 'unavailable' as const);
  return { status, ms: Math.round(performance.now() - started) };
}

const unavailable = { error: 'unavailable' } as const;

async function familySections(deps: Deps): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(FAMILY_STATUS).map(async ([family, section]: [string, StatusSection | undefined]) => {
      if (!section) return [family, null] as const;
      return [family, await within(section(deps), CHECK_TIMEOUT_MS).catch(() => unavailable)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

const statusBody = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checkedAt: z.string(),
    dependencies: z.object({ postgres: z.object({ status: z.string(), ms: z.number() }), redis: z.object({ status: z.string(), ms: z.number() }) }),
    queues: z.union([z.array(z.object({ queue: z.string() }).loose()), z.object({ error: z.string() })]),
    families: z.record(z.string(), z.unknown()),
  })
  .loose();

export function opsStatusRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/ops/status',
      summary: 'What on-call reads first: Postgres and Redis, queue depths, the last retention run, stuck unknown SMS, each family’s section',
      tags: ['ops'],
      security: 'ops',
      responses: { 200: { description: 'the platform now; `status` is degraded when a dependency does not answer', schema: statusBody } },
      // Reports Postgres and Redis in its answer rather than failing on them.
      selfContained: true,
      handler: async () => {
        const [postgres, redis] = await Promise.all([timed(() => sql`SELECT 1`.execute(deps.db)), timed(() => deps.queues.connection.ping())]);
        const [queues, families] = await Promise.all([
          redis.status === 'ok' ? within(readDepths(deps.queues), CHECK_TIMEOUT_MS).catch(() => unavailable) : unavailable,
          postgres.status === 'ok' ? familySections(deps) : unavailable,
        ]);
        const ok = postgres.status === 'ok' && redis.status === 'ok';
        return { body: { status: ok ? 'ok' : 'degraded', checkedAt: new Date().toISOString(), dependencies: { postgres, redis }, queues, families } };
      },
    }),
  ];
}
