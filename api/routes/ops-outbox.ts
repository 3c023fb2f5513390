// The local outbox: where mail goes when no SMTP relay is configured. Full ops login only:
// it holds password-reset links.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { latestOutboxMail, rawOutboxMail } from '../../workers/mail/outbox.js';
import { defineRoute, type Route } from '../route.js';

const outboxItem = z.object({ id: z.uuid(), to: z.array(z.string()), subject: z.string(), createdAt: z.string() });

export function opsOutboxRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/ops/outbox',
      summary: 'Mail written to the local outbox, newest first',
      tags: ['ops'],
      security: 'ops-write',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
      responses: { 200: { description: 'outbox mail', schema: z.object({ items: z.array(outboxItem) }) } },
      handler: async ({ query }) => {
        const rows = await latestOutboxMail(deps.db, query.limit);
        return { body: { items: rows.map((r) => ({ id: r.id, to: r.envelope_to, subject: r.subject, createdAt: r.created_at.toISOString() })) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ops/outbox/{id}',
      summary: 'One outbox mail as the raw message (message/rfc822)',
      tags: ['ops'],
      security: 'ops-write',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'the message as SMTP would carry it', schema: z.string(), contentType: 'message/rfc822' }, 404: { description: 'no such mail' } },
      handler: async ({ params }) => ({ body: await rawOutboxMail(deps.db, params.id), contentType: 'message/rfc822' }),
    }),
  ];
}
