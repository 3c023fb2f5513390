// /v1/invoices: the electronic invoices parsed from uploads, their lines and findings.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { einvoiceLines, findEinvoice, listEinvoices } from '../../workers/tem/einvoice/queries.js';
import { principalOf } from '../auth/bearer.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { phone } from './contacts.js';
import { einvoiceLineSchema, einvoiceSchema, einvoiceSummarySchema, toEinvoice, toEinvoiceLine, toEinvoiceSummary } from './tem-einvoice-views.js';

const common = { tags: ['tem'], security: 'bearer', scope: 'invoices' } as const;
const idParams = z.object({ id: z.uuid() });
const limit = z.coerce.number().int().min(1).max(1000).default(50);

export function temEinvoiceRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/invoices',
      summary: 'List e-invoices, oldest first (keyset pages): supplier, period, totals, findings count',
      query: z.object({ cursor: z.string().max(200).optional(), limit }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(einvoiceSummarySchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listEinvoices(deps.db, principalOf(res).organizationId, { limit: query.limit, ...(query.cursor && { after: decodeCursor(query.cursor) }) });
        return { body: { items: page.items.map(toEinvoiceSummary), nextCursor: page.next ? encodeCursor(page.next) : null } };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/invoices/{id}',
      summary: 'An e-invoice: header, parties, allowances and charges, VAT breakdown, totals and findings (its lines: GET …/lines)',
      params: idParams,
      responses: { 200: { description: 'the invoice', schema: einvoiceSchema }, 404: { description: 'no such invoice' } },
      handler: async ({ params }, _req, res) => {
        const invoice = await findEinvoice(deps.db, principalOf(res).organizationId, params.id);
        if (!invoice) throw notFound('No such invoice.');
        return { body: toEinvoice(invoice) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/invoices/{id}/lines',
      summary: "An e-invoice's lines in document order (pages after `after`, a line's seq), optionally those of one subscription",
      params: idParams,
      query: z.object({ subscription: phone.optional().describe('a subscription number (E.164 or Dutch national format)'), after: z.coerce.number().int().min(-1).optional(), limit }),
      responses: { 200: { description: 'a page of lines', schema: z.object({ items: z.array(einvoiceLineSchema), nextAfter: z.number().int().nullable() }) }, 404: { description: 'no such invoice' } },
      handler: async ({ params, query }, _req, res) => {
        const organizationId = principalOf(res).organizationId;
        if (!(await findEinvoice(deps.db, organizationId, params.id))) throw notFound('No such invoice.');
        const page = await einvoiceLines(deps.db, organizationId, params.id, { limit: query.limit, ...(query.after !== undefined && { afterSeq: query.after }), ...(query.subscription && { subscription: query.subscription }) });
        return { body: { items: page.items.map(toEinvoiceLine), nextAfter: page.next } };
      },
    }),
  ];
}
