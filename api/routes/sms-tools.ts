// /v1/sms/estimate and /v1/sms/opt-outs.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { normalizePhone } from '../../workers/phone/e164.js';
import { analyse } from '../../workers/sms/encoding.js';
import { addOptOut, listOptOuts, maskPhone, phoneHash, removeOptOut } from '../../workers/sms/opt-outs.js';
import { personalise } from '../../workers/sms/personalise.js';
import { compilePrices, fromUnits } from '../../workers/sms/pricing.js';
import { principalOf } from '../auth/bearer.js';
import { badRequest } from '../problem.js';
import { defineRoute, type Route } from '../route.js';

function e164(raw: string, field: string): { e164: string; masked: string } {
  const parsed = normalizePhone(raw);
  if (!parsed.ok) throw badRequest('Not a valid phone number.', [{ field, message: 'not a valid phone number' }]);
  return { e164: parsed.e164, masked: maskPhone(parsed.e164, parsed.countryCallingCode) };
}

const optOutSchema = z.object({ masked: z.string(), source: z.enum(['api', 'reply']), createdAt: z.string() }).meta({ id: 'SmsOptOut' });

export function smsToolRoutes(deps: Deps): Route[] {
  const priceOf = compilePrices(deps.config.sms.prices);
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sms/estimate',
      summary: 'Encoding, characters, segments and cost of a text; nothing is sent',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      body: z.strictObject({ body: z.string().min(1).max(1600), fields: z.record(z.string(), z.string().max(1000)).optional(), to: z.string().max(40).optional() }),
      responses: {
        200: {
          description: 'the estimate',
          schema: z.object({ encoding: z.enum(['gsm7', 'ucs2']), characters: z.number().int(), units: z.number().int(), segments: z.number().int(), perSegment: z.number().int(), cost: z.string() }),
        },
      },
      handler: ({ body }) => {
        const filled = personalise(body.body, body.fields ?? {});
        if ('missing' in filled) throw badRequest(`No value for {{${filled.missing}}}.`, [{ field: `body.fields.${filled.missing}`, message: 'missing' }]);
        const info = analyse(filled.text);
        const destination = body.to ? e164(body.to, 'body.to').e164 : '+31';
        return { body: { ...info, cost: fromUnits(info.segments * priceOf(destination)) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/sms/opt-outs',
      summary: 'Put a number on the opt-out list: batches skip it (status suppressed)',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      body: z.strictObject({ phone: z.string().max(40) }),
      responses: { 201: { description: 'opted out', schema: z.object({ masked: z.string() }) } },
      handler: async ({ body }, _req, res) => {
        const phone = e164(body.phone, 'body.phone');
        await addOptOut(deps.db, principalOf(res).organizationId, phoneHash(deps.config.suppressionKey, phone.e164), phone.masked, 'api');
        return { status: 201, body: { masked: phone.masked } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sms/opt-outs',
      summary: 'The opt-out list, masked (+31 6 ****4321)',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      responses: { 200: { description: 'opt-outs', schema: z.object({ items: z.array(optOutSchema) }) } },
      handler: async (_input, _req, res) => {
        const rows = await listOptOuts(deps.db, principalOf(res).organizationId);
        return { body: { items: rows.map((r) => ({ masked: r.masked, source: r.source, createdAt: r.created_at.toISOString() })) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/sms/opt-outs/{phone}',
      summary: 'Take a number the organisation added off the opt-out list (not one the person added by replying STOP)',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      params: z.object({ phone: z.string().max(40) }),
      responses: {
        204: { description: 'removed (audited)' },
        404: { description: 'the number is not on the list' },
        409: { description: 'the person opted out by replying STOP: only the person can undo that' },
      },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        const phone = e164(params.phone, 'params.phone');
        const hash = phoneHash(deps.config.suppressionKey, phone.e164);
        await removeOptOut(deps.db, principal.organizationId, hash, auditActor(principal));
        return { status: 204 };
      },
    }),
  ];
}
