// POST /hooks/sms/http: what the JSON gateway of SMS_PROVIDER=http sends back (see
// workers/sms/providers/http.ts): delivery reports, stored and applied like SMPP receipts, and
// incoming messages, read like SMPP's (workers/sms/incoming.ts: stop words, replies; `ton` as
// SMPP's source_addr_ton, `concat` for a part of a long reply). Signed with SMS_HTTP_SECRET
// over "<X-Signature-Timestamp>.<body>"; a timestamp more than 5 minutes off is refused (replays).
// A report with a status we do not know is recorded as UNKNOWN: it never refuses the post.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { takeIncomingPost } from '../../workers/sms/incoming.js';
import { receiptsOfReports } from '../../workers/sms/http-reports.js';
import { takeReceipts } from '../../workers/sms/receipts.js';
import { problemSchema } from '../openapi.js';
import { unauthorized } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { freshTimestamp, validSignature } from '../webhook-signature.js';

const MAX_ITEMS = 1_000;

const hookBody = z.object({
  reports: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        status: z.string().max(32).describe('DELIVRD, UNDELIV, EXPIRED, DELETED, REJECTD, UNKNOWN, ENROUTE, ACCEPTD, their long forms (DELIVERED, ...); any other is recorded as UNKNOWN'),
        error: z.string().max(100).optional().describe("the network's error code"),
        doneAt: z.iso.datetime({ offset: true }).optional().describe('when the network delivered the message or gave up on it'),
      }),
    )
    .max(MAX_ITEMS)
    .default([]),
  incoming: z
    .array(
      z.object({
        from: z.string().min(1).max(32),
        text: z.string().max(2_000),
        to: z.string().max(32).optional(),
        ton: z.number().int().min(0).max(6).optional(),
        concat: z.object({ ref: z.number().int().min(0).max(65_535), total: z.number().int().min(1).max(255), seq: z.number().int().min(1).max(255) })
          .refine((c) => c.seq <= c.total, { path: ['seq'], message: 'beyond total' })
          .optional(),
      }),
    )
    .max(MAX_ITEMS)
    .default([]),
});

export function smsHttpHookRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/hooks/sms/http',
      summary: 'Delivery reports and incoming messages from the SMS HTTP gateway (X-Signature: sha256=<HMAC-SHA256 of "<X-Signature-Timestamp>.<body>">)',
      tags: ['hooks'],
      security: 'none',
      verifyBody: (req, raw) => {
        const at = freshTimestamp(req.get('x-signature-timestamp'));
        if (at === undefined) throw unauthorized('Missing X-Signature-Timestamp, or more than 5 minutes from now.', 'HMAC-SHA256');
        if (!validSignature(deps.config.sms.httpSecret, req.get('x-signature'), at, raw)) {
          throw unauthorized('Missing or wrong X-Signature.', 'HMAC-SHA256');
        }
      },
      body: hookBody,
      responses: {
        204: { description: 'stored; reports are applied shortly' },
        401: { description: 'missing or wrong X-Signature, or X-Signature-Timestamp missing or more than 5 minutes off', schema: problemSchema, contentType: 'application/problem+json' },
      },
      handler: async ({ body }) => {
        await takeReceipts(deps, receiptsOfReports(deps, body.reports), 'http');
        await takeIncomingPost(deps, deps.config.suppressionKey, body.incoming);
        return { status: 204 };
      },
    }),
  ];
}
