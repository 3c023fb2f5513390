// /v1/lists/{id}/subscribers: a list's subscribers, keyset pages by status, imports (JSON) and
// removing one. The list is found within the caller's organisation first: another
// organisation's list is a 404.
import { z } from 'zod';
import { SUBSCRIBER_STATUSES } from '../../db/schema.js';
import { audit } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { LANGUAGES } from '../../workers/messages/catalogue.js';
import { importCsv, MAX_CSV_ROWS } from '../../workers/newsletter/csv-import.js';
import { importSubscribers } from '../../workers/newsletter/import.js';
import { createImportGroup, GROUPED_ROWS } from '../../workers/newsletter/import-group.js';
import { IMPORT_AUDIT_ACTION } from '../../workers/newsletter/store-imports.js';
import { findList } from '../../workers/newsletter/lists.js';
import { deleteSubscriber, listSubscribers } from '../../workers/newsletter/subscribers.js';
import { principalOf } from '../auth/bearer.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { charsetParameter, declaredCharset } from '../declared-charset.js';
import { badRequest, notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { pageQuery, subscriberSchema, toSubscriber } from './newsletter-views.js';

/** The most subscribers one JSON import takes. */
export const MAX_JSON_IMPORT = 100_000;
const attribute = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const importBody = z.strictObject({
  subscribers: z
    .array(
      z.strictObject({
        email: z.string().max(320),
        name: z.string().trim().max(200).optional(),
        attributes: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/), attribute).optional(),
        language: z.enum(LANGUAGES).optional().describe("the language mails to this subscriber are written in; default the list's"),
      }),
    )
    .min(1)
    .max(MAX_JSON_IMPORT),
  basis: z.enum(['consent', 'customer-relationship']),
});
const importSchema = z
  .object({ added: z.number(), updated: z.number(), suppressed: z.number(), invalid: z.number(), rejected: z.array(z.object({ row: z.number(), reason: z.string() })) })
  .meta({ id: 'NewsletterImport' });
const listParams = z.object({ id: z.uuid() });
const common = { tags: ['newsletter'], security: 'bearer', scope: 'mail' } as const;
const noList = () => notFound('No such list.');

export function newsletterSubscriberRoutes(deps: Deps): Route[] {
  const importGrouped = createImportGroup(deps.db, { privacyStatement: deps.config.privacyStatementVersion, suppressionKey: deps.config.suppressionKey });
  const listOf = async (res: Parameters<typeof principalOf>[0], id: string) => {
    const list = await findList(deps.db, principalOf(res).organizationId, id);
    if (!list) throw noList();
    return list;
  };
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/lists/{id}/subscribers',
      summary: "A list's subscribers, oldest first, keyset-paginated, optionally by status",
      params: listParams,
      query: z.object({ ...pageQuery, status: z.enum(SUBSCRIBER_STATUSES).optional() }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(subscriberSchema), nextCursor: z.string().nullable() }) }, 404: { description: 'no such list in this organisation' } },
      handler: async ({ params, query }, _req, res) => {
        const list = await listOf(res, params.id);
        const page = await listSubscribers(deps.db, list.organization_id, list.id, {
          limit: query.limit,
          ...(query.status && { status: query.status }),
          ...(query.cursor && { after: decodeCursor(query.cursor) }),
        });
        return { body: { items: page.items.map(toSubscriber), nextCursor: page.next ? encodeCursor(page.next) : null } };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/lists/{id}/subscribers',
      summary: `Import subscribers, as JSON (up to ${MAX_JSON_IMPORT.toLocaleString('en')}) or a streamed text/csv with ?basis= (up to ${MAX_CSV_ROWS.toLocaleString('en')} rows), on a legal basis: new addresses added, known ones updated, unsubscribed ones left alone`,
      params: listParams,
      query: z.object({ basis: z.enum(['consent', 'customer-relationship']).optional().describe('the legal basis of a text/csv import (required for one)') }),
      body: importBody,
      bulkBody: true,
      streamed: {
        contentType: 'text/csv',
        handler: async ({ params, query }, req, res) => {
          const list = await listOf(res, params.id);
          if (!query.basis) throw badRequest('A CSV import needs ?basis=consent or ?basis=customer-relationship.', [{ field: 'query.basis', message: 'required' }]);
          const charset = declaredCharset(charsetParameter(req.headers['content-type']), 'header.content-type');
          const result = await importCsv(deps.db, { organizationId: list.organization_id, listId: list.id }, req, { basis: query.basis, privacyStatement: deps.config.privacyStatementVersion }, deps.config.suppressionKey, charset);
          await audit(deps.db, { ...auditActor(principalOf(res)), action: IMPORT_AUDIT_ACTION, entityType: 'newsletter_list', entityId: list.id, details: { added: result.added, updated: result.updated, format: 'csv' } });
          return { body: result };
        },
      },
      responses: { 200: { description: `counts, and the rows refused with their reason (the first ${'1,000'} of a CSV)`, schema: importSchema }, 400: { description: 'a bad body, CSV or basis' }, 404: { description: 'no such list in this organisation' }, 413: { description: `a CSV of more than ${MAX_CSV_ROWS.toLocaleString('en')} rows` } },
      handler: async ({ params, body }, _req, res) => {
        const principal = principalOf(res);
        if (body.subscribers.length <= GROUPED_ROWS) {
          // The list's check, the rows and the audit entry in one statement shared with concurrent requests.
          const result = await importGrouped({ organizationId: principal.organizationId, listId: params.id, basis: body.basis, rows: body.subscribers, actor: auditActor(principal) });
          if (!result) throw noList();
          return { body: result };
        }
        const list = await listOf(res, params.id);
        const result = await importSubscribers(deps.db, { organizationId: list.organization_id, listId: list.id }, body.subscribers, {
          basis: body.basis,
          privacyStatement: deps.config.privacyStatementVersion,
        }, deps.config.suppressionKey);
        await audit(deps.db, { ...auditActor(principal), action: IMPORT_AUDIT_ACTION, entityType: 'newsletter_list', entityId: list.id, details: { added: result.added, updated: result.updated } });
        return { body: result };
      },
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: '/v1/lists/{id}/subscribers/{subscriberId}',
      summary: 'Remove one subscriber from a list, with its consent records',
      params: z.object({ id: z.uuid(), subscriberId: z.uuid() }),
      responses: { 204: { description: 'removed' }, 404: { description: 'no such list or subscriber in this organisation' } },
      handler: async ({ params }, _req, res) => {
        const list = await listOf(res, params.id);
        // The entry in the delete's transaction: a caller removed meanwhile deletes nothing (migration 2026-12-08T04-00-00).
        const deleted = await deps.db.transaction().execute(async (trx) => {
          if (!(await deleteSubscriber(trx, list.organization_id, list.id, params.subscriberId))) return false;
          await audit(trx, { ...auditActor(principalOf(res)), action: 'newsletter.subscriber.deleted', entityType: 'newsletter_subscriber', entityId: params.subscriberId });
          return true;
        });
        if (!deleted) throw notFound('No such subscriber.');
        return { status: 204 };
      },
    }),
  ];
}
