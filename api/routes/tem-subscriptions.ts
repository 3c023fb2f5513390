// /v1/subscriptions: the mobile numbers call records name, with holder and cost centre.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { findCostCentre } from '../../workers/tem/cost-centres.js';
import { findSubscription, listSubscriptions, updateSubscription, type SubscriptionView } from '../../workers/tem/subscriptions.js';
import { principalOf } from '../auth/bearer.js';
import { decodeTextCursor, encodeTextCursor } from '../cursor.js';
import { badRequest, notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { phone } from './contacts.js';
import { day } from './tem-views.js';

/** The number as E.164, Dutch national format allowed (the contacts' phone schema). */
const number = phone;

const subscriptionSchema = z.object({
  number: z.string().describe('E.164'),
  holderName: z.string().nullable(),
  costCentre: z.object({ id: z.uuid(), code: z.string(), name: z.string() }).nullable().describe('our allocation'),
  carrierCostCentre: z.string().nullable().describe("the carrier's cost-centre column, used until a cost centre is set"),
  effectiveCostCentre: z.string().nullable(),
  endedOn: z.string().nullable().describe('YYYY-MM-DD: the day it ended; invoices billing it after that are flagged'),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});

const toSubscription = (s: SubscriptionView): z.infer<typeof subscriptionSchema> => ({
  number: s.msisdn,
  holderName: s.holder_name,
  costCentre: s.cost_centre_id && s.cost_centre_code !== null && s.cost_centre_name !== null ? { id: s.cost_centre_id, code: s.cost_centre_code, name: s.cost_centre_name } : null,
  carrierCostCentre: s.cost_centre_hint,
  effectiveCostCentre: s.cost_centre_code ?? s.cost_centre_hint,
  endedOn: day(s.ended_on),
  firstSeenAt: s.first_seen_at.toISOString(),
  lastSeenAt: s.last_seen_at.toISOString(),
});

const common = { tags: ['tem'], security: 'bearer', scope: 'invoices' } as const;
const isNumber = (msisdn: string) => /^\+\d{6,15}$/.test(msisdn);

export function temSubscriptionRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/subscriptions',
      summary: 'The mobile subscriptions named by call records, by number (keyset pages)',
      query: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(subscriptionSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listSubscriptions(deps.db, principalOf(res).organizationId, { limit: query.limit, ...(query.cursor && { after: decodeTextCursor(query.cursor, isNumber) }) });
        return { body: { items: page.items.map(toSubscription), nextCursor: page.next ? encodeTextCursor(page.next) : null } };
      },
    }),
    defineRoute({
      ...common,
      method: 'put',
      path: '/v1/subscriptions/{number}',
      summary: "Set a subscription's holder, cost centre and end date (null clears; the carrier's cost centre applies again)",
      params: z.object({ number }),
      body: z.strictObject({ holderName: z.string().trim().min(1).max(200).nullable().optional(), costCentreId: z.uuid().nullable().optional(), endedOn: z.iso.date().nullable().optional() }),
      responses: { 200: { description: 'the subscription', schema: subscriptionSchema }, 404: { description: 'no such subscription' } },
      handler: async ({ params, body }, _req, res) => {
        const organizationId = principalOf(res).organizationId;
        if (body.costCentreId && !(await findCostCentre(deps.db, organizationId, body.costCentreId))) {
          throw badRequest('No such cost centre.', [{ field: 'body.costCentreId', message: 'no such cost centre' }]);
        }
        if (!(await updateSubscription(deps.db, organizationId, params.number, body))) throw notFound('No such subscription.');
        const updated = await findSubscription(deps.db, organizationId, params.number);
        if (!updated) throw notFound('No such subscription.');
        return { body: toSubscription(updated) };
      },
    }),
  ];
}
