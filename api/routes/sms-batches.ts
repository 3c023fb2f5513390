// /v1/sms/batches: submit, follow, page through and cancel bulk SMS.
import { z } from 'zod';
import { auditActor } from '../../workers/identity/principal.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { batchRows, messageRows } from '../../workers/sms/batch-pages.js';
import { cancelBatch } from '../../workers/sms/cancel-batch.js';
import { createBatch } from '../../workers/sms/create-batch.js';
import { GROUPED_MAX_RECIPIENTS, groupedBatches } from '../../workers/sms/grouped-batches.js';
import { recipientSchema } from '../../workers/sms/recipient-limits.js';
import { countsByStatus } from '../../workers/sms/batch-counts.js';
import { findBatch } from '../../workers/sms/store.js';
import { principalOf } from '../auth/bearer.js';
import { keysetPage } from '../../db/keyset.js';
import { SMS_MESSAGE_STATUSES } from '../../db/schema.js';
import { decodeCursor, decodeSeqCursor, encodeCursor, encodeSeqCursor } from '../cursor.js';
import { HttpError, notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { batchAccepted, batchFields, batchOptions, idempotencyKeyOf } from './sms-batch-fields.js';
import { batchSchema, messageSchema, toBatch, toMessage } from './sms-views.js';

const MAX_JSON_RECIPIENTS = 100_000;
const submitBody = batchFields.extend({ recipients: z.array(recipientSchema).min(1) });

const idParams = z.object({ id: z.uuid() });

export function smsBatchRoutes(deps: Deps): Route[] {
  const small = groupedBatches(deps);
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sms/batches',
      summary: `Submit a batch of up to ${MAX_JSON_RECIPIENTS.toLocaleString('en')} recipients (more: the CSV upload)`,
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      bulkBody: true,
      body: submitBody,
      responses: {
        202: { description: 'accepted: validated, stored and queued (or scheduled)', schema: batchSchema },
        200: { description: 'a repeat with the same Idempotency-Key: the first batch', schema: batchSchema },
        409: { description: 'the Idempotency-Key was used for another batch (another sender, text, purpose, reference, callbackUrl or sendAt): nothing made' },
        413: { description: `more than ${MAX_JSON_RECIPIENTS} recipients: use POST /v1/sms/batches/csv` },
      },
      handler: async ({ body }, req, res) => {
        const principal = principalOf(res);
        if (body.recipients.length > MAX_JSON_RECIPIENTS) {
          throw new HttpError(413, 'Content Too Large', `At most ${MAX_JSON_RECIPIENTS} recipients as JSON; upload a CSV to POST /v1/sms/batches/csv.`, {
            errors: [{ field: 'body.recipients', message: `more than ${MAX_JSON_RECIPIENTS}` }],
          });
        }
        const { recipients, ...fields } = body;
        const options = await batchOptions(deps, fields, idempotencyKeyOf(req));
        const outcome =
          recipients.length <= GROUPED_MAX_RECIPIENTS ? await small.create(principal.organizationId, options, recipients, auditActor(principal))
          : await createBatch(deps, principal.organizationId, options, recipients, auditActor(principal));
        return batchAccepted(deps, outcome);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sms/batches/{id}',
      summary: 'A batch: status, counts per message status, cost',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      params: idParams,
      responses: { 200: { description: 'the batch', schema: batchSchema }, 404: { description: 'no such batch in this organisation' } },
      handler: async ({ params }, _req, res) => {
        const batch = await findBatch(deps.db, principalOf(res).organizationId, params.id);
        if (!batch) throw notFound('No such batch.');
        return { body: toBatch(batch, await countsByStatus(deps.db, batch.id)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sms/batches',
      summary: 'Batches, newest first, keyset-paginated',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      query: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(batchSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const rows = await batchRows(deps.db, principalOf(res).organizationId, query.cursor ? decodeCursor(query.cursor) : null, query.limit);
        const { items, next } = keysetPage(rows, query.limit);
        const nextCursor = next ? encodeCursor(next) : null;
        return { body: { items: items.map((b) => toBatch(b)), nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sms/batches/{id}/messages',
      summary: "A batch's messages in recipient order, keyset-paginated, optionally by status",
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      params: idParams,
      query: z.object({ status: z.enum(SMS_MESSAGE_STATUSES).optional(), cursor: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() }) }, 404: { description: 'no such batch' } },
      handler: async ({ params, query }, _req, res) => {
        const batch = await findBatch(deps.db, principalOf(res).organizationId, params.id);
        if (!batch) throw notFound('No such batch.');
        const rows = await messageRows(deps.db, batch.id, { status: query.status, afterSeq: query.cursor ? decodeSeqCursor(query.cursor) : null, limit: query.limit });
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        return { body: { items: items.map(toMessage), nextCursor: rows.length > query.limit && last ? encodeSeqCursor(last.seq) : null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/sms/batches/{id}/cancel',
      summary: 'Cancel every message not yet handed to the provider; sent ones stay as they are',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      params: idParams,
      responses: { 200: { description: 'cancelled', schema: batchSchema }, 404: { description: 'no such batch' }, 409: { description: 'the batch is already completed or cancelled' } },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        const outcome = await cancelBatch(deps.db, principal.organizationId, params.id, auditActor(principal));
        await enqueueAfterCommit(deps, outcome.jobs);
        return { body: toBatch(outcome.batch, await countsByStatus(deps.db, params.id)) };
      },
    }),
  ];
}
