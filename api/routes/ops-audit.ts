// The audit log for ops: who did what to which entity (dashboard retries among it). Entries
// hold kinds, internal ids, actions and counts, never personal data, so the read-only login
// may read them too.
import { z } from 'zod';
import { latestAuditEntries } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { defineRoute, type Route } from '../route.js';

const entry = z.object({
  id: z.number(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  organizationId: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export function opsAuditRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/ops/audit',
      summary: 'The audit log, newest first; `action` filters by prefix (e.g. dashboard.), `before` pages by id',
      tags: ['ops'],
      security: 'ops',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before: z.coerce.number().int().positive().optional(),
        action: z.string().max(100).regex(/^[\w.-]*$/, 'letters, digits, ., - and _').optional(),
      }),
      responses: { 200: { description: 'entries, and the `before` of the next page (null at the end)', schema: z.object({ items: z.array(entry), next: z.number().nullable() }) } },
      handler: async ({ query }) => {
        const rows = await latestAuditEntries(deps.db, { limit: query.limit, beforeId: query.before, actionPrefix: query.action });
        const items = rows.map((r) => ({
          id: Number(r.id),
          at: r.at.toISOString(),
          actorType: r.actor_type,
          actorId: r.actor_id,
          organizationId: r.organization_id,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          details: r.details,
        }));
        return { body: { items, next: rows.length === query.limit ? (items.at(-1)?.id ?? null) : null } };
      },
    }),
  ];
}
