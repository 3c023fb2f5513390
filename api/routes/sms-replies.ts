// GET /v1/sms/replies: incoming SMS that were not a stop word, newest first, for the
// organisation whose message they answered (workers/sms/replies.ts).
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { toReply } from '../../workers/sms/replies.js';
import { principalOf } from '../auth/bearer.js';
import { decodeIdCursor, encodeIdCursor } from '../cursor.js';
import { defineRoute, type Route } from '../route.js';

const replySchema = z
  .object({
    id: z.number().int(),
    batchId: z.uuid().nullable(),
    messageId: z.number().int().nullable().describe('the message this answers'),
    index: z.number().int().nullable().describe("that message's position in its batch"),
    phone: z.string().nullable().describe('E.164; null once erased (6 months)'),
    text: z.string().nullable(),
    receivedAt: z.string(),
  })
  .meta({ id: 'SmsReply' });

export function smsReplyRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/sms/replies',
      summary: 'Replies to this organisation\'s SMS that were not a stop word, newest first, keyset-paginated',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      query: z.object({ batchId: z.uuid().optional(), cursor: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(replySchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        let q = deps.db
          .selectFrom('sms_replies')
          .select(['id', 'batch_id', 'message_id', 'message_seq', 'phone', 'text', 'received_at'])
          .where('organization_id', '=', principalOf(res).organizationId);
        if (query.batchId) q = q.where('batch_id', '=', query.batchId);
        if (query.cursor) q = q.where('id', '<', decodeIdCursor(query.cursor));
        const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        return {
          body: { items: items.map((r) => ({ ...toReply(r), phone: r.phone })), nextCursor: rows.length > query.limit && last ? encodeIdCursor(Number(last.id)) : null },
        };
      },
    }),
  ];
}
