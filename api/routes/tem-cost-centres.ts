// /v1/cost-centres: the organisation's cost centres, to which subscriptions are allocated.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { createCostCentre, deleteCostCentre, findCostCentre, listCostCentres, updateCostCentre } from '../../workers/tem/cost-centres.js';
import { principalOf } from '../auth/bearer.js';
import { decodeTextCursor, encodeTextCursor } from '../cursor.js';
import { conflict, notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { costCentreSchema, toCostCentre } from './tem-views.js';

const CODE_MAX = 50;
const body = z.strictObject({ code: z.string().trim().min(1).max(CODE_MAX), name: z.string().trim().min(1).max(200) });
const isCode = (code: string) => code.length >= 1 && code.length <= CODE_MAX;
const params = z.object({ id: z.uuid() });
const common = { tags: ['tem'], security: 'bearer', scope: 'invoices' } as const;
const taken = () => conflict('Another cost centre has this code.', 'body.code');
const missing = () => notFound('No such cost centre.');

export function temCostCentreRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/cost-centres',
      summary: "The organisation's cost centres, by code (keyset pages: follow nextCursor until it is null)",
      query: z.object({ cursor: z.string().max(300).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(costCentreSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listCostCentres(deps.db, principalOf(res).organizationId, { limit: query.limit, ...(query.cursor !== undefined && { after: decodeTextCursor(query.cursor, isCode) }) });
        return { body: { items: page.items.map(toCostCentre), nextCursor: page.next === null ? null : encodeTextCursor(page.next) } };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/cost-centres',
      summary: 'Add a cost centre',
      body,
      responses: { 201: { description: 'created', schema: costCentreSchema }, 409: { description: 'the code is taken' } },
      handler: async ({ body: input }, _req, res) => {
        const created = await createCostCentre(deps.db, principalOf(res).organizationId, input);
        if (!created) throw taken();
        return { status: 201, body: toCostCentre(created) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/cost-centres/{id}',
      summary: 'One cost centre',
      params,
      responses: { 200: { description: 'the cost centre', schema: costCentreSchema }, 404: { description: 'no such cost centre' } },
      handler: async ({ params: { id } }, _req, res) => {
        const found = await findCostCentre(deps.db, principalOf(res).organizationId, id);
        if (!found) throw missing();
        return { body: toCostCentre(found) };
      },
    }),
    defineRoute({
      ...common,
      method: 'put',
      path: '/v1/cost-centres/{id}',
      summary: "Change a cost centre's code and name",
      params,
      body,
      responses: { 200: { description: 'changed', schema: costCentreSchema }, 404: { description: 'no such cost centre' }, 409: { description: 'the code is taken' } },
      handler: async ({ params: { id }, body: input }, _req, res) => {
        const updated = await updateCostCentre(deps.db, principalOf(res).organizationId, id, input);
        if (updated === undefined) throw missing();
        if (updated === null) throw taken();
        return { body: toCostCentre(updated) };
      },
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: '/v1/cost-centres/{id}',
      summary: 'Delete a cost centre; its subscriptions fall back to the carrier’s cost centre',
      params,
      responses: { 204: { description: 'deleted' }, 404: { description: 'no such cost centre' } },
      handler: async ({ params: { id } }, _req, res) => {
        if (!(await deleteCostCentre(deps.db, principalOf(res).organizationId, id))) throw missing();
        return { status: 204 };
      },
    }),
  ];
}
