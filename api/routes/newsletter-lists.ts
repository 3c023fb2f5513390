// /v1/lists: an organisation's newsletter lists (scope `mail`).
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { audit } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { LANGUAGES } from '../../workers/messages/catalogue.js';
import { createList, deleteList, findList, listLists, subscriberCounts, updateList } from '../../workers/newsletter/lists.js';
import { principalOf } from '../auth/bearer.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { listSchema, pageQuery, toList } from './newsletter-views.js';

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable(),
  language: z.enum(LANGUAGES).describe('what imported subscribers are written to in unless their row says otherwise (default nl)'),
};
const createBody = z.strictObject({ ...fields, description: fields.description.default(null), language: fields.language.optional() });
const updateBody = z.strictObject(fields).partial().refine((l) => Object.keys(l).length > 0, { message: 'change at least one field' });
const params = z.object({ id: z.uuid() });
const common = { tags: ['newsletter'], security: 'bearer', scope: 'mail' } as const;
const missing = () => notFound('No such list.');

export function newsletterListRoutes(deps: Deps): Route[] {
  type Res = Parameters<typeof principalOf>[0];
  const log = async (db: Kysely<Database>, res: Res, action: string, id: string) => {
    await audit(db, { ...auditActor(principalOf(res)), action, entityType: 'newsletter_list', entityId: id });
  };
  /** A change and its audit entry in one transaction: a caller removed meanwhile changes nothing (the entry's check of its actor). */
  const logged = <T extends { id: string } | undefined>(res: Res, action: string, change: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    deps.db.transaction().execute(async (trx) => {
      const result = await change(trx);
      if (result) await log(trx, res, action, result.id);
      return result;
    });
  const withCount = async (list: Parameters<typeof toList>[0]) => toList(list, (await subscriberCounts(deps.db, [list.id])).get(list.id) ?? 0);
  return [
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/lists',
      summary: 'Make a newsletter list',
      body: createBody,
      responses: { 201: { description: 'created', schema: listSchema } },
      handler: async ({ body }, _req, res) => {
        const list = await logged(res, 'newsletter.list.created', (trx) => createList(trx, principalOf(res).organizationId, body));
        return { status: 201, body: toList(list, 0) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/lists',
      summary: 'Newsletter lists, oldest first, keyset-paginated, with their number of subscribers',
      query: z.object(pageQuery),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(listSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listLists(deps.db, principalOf(res).organizationId, { limit: query.limit, ...(query.cursor && { after: decodeCursor(query.cursor) }) });
        const counts = await subscriberCounts(deps.db, page.items.map((l) => l.id));
        return { body: { items: page.items.map((l) => toList(l, counts.get(l.id) ?? 0)), nextCursor: page.next ? encodeCursor(page.next) : null } };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/lists/{id}',
      summary: 'One newsletter list',
      params,
      responses: { 200: { description: 'the list', schema: listSchema }, 404: { description: 'no such list in this organisation' } },
      handler: async ({ params: { id } }, _req, res) => {
        const list = await findList(deps.db, principalOf(res).organizationId, id);
        if (!list) throw missing();
        return { body: await withCount(list) };
      },
    }),
    defineRoute({
      ...common,
      method: 'patch',
      path: '/v1/lists/{id}',
      summary: "Change a list's name, description or language",
      params,
      body: updateBody,
      responses: { 200: { description: 'changed', schema: listSchema }, 404: { description: 'no such list in this organisation' } },
      handler: async ({ params: { id }, body }, _req, res) => {
        const list = await logged(res, 'newsletter.list.updated', (trx) => updateList(trx, principalOf(res).organizationId, id, body));
        if (!list) throw missing();
        return { body: await withCount(list) };
      },
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: '/v1/lists/{id}',
      summary: 'Delete a list with its subscribers and pending sign-ups (suppressed addresses stay suppressed)',
      params,
      responses: { 204: { description: 'deleted' }, 404: { description: 'no such list in this organisation' } },
      handler: async ({ params: { id } }, _req, res) => {
        if (!(await deleteList(deps.db, principalOf(res).organizationId, id, (trx) => log(trx, res, 'newsletter.list.deleted', id)))) throw missing();
        return { status: 204 };
      },
    }),
  ];
}
