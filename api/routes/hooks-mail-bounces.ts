// POST /hooks/mail/bounces: bounces and complaints a relay or mail provider reports, applied
// as the bounce mailbox's are (workers/newsletter/bounces.ts). The caller proves itself with
// the shared secret MAIL_HOOK_SECRET (`Authorization: Bearer <secret>`, compared in constant
// time); a wrong or missing one, or none configured, is a 401 before the body is read, and
// nothing changes. The delivery is named by the VERP return path the mail went out with
// (what a relay knows: the envelope sender), or by its id.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { BOUNCE_KINDS, applyBounce } from '../../workers/newsletter/bounces.js';
import { noteBounce } from '../../workers/newsletter/metrics.js';
import { parseVerp } from '../../workers/newsletter/verp.js';
import { badRequest, notFound, unauthorized } from '../problem.js';
import { defineRoute, type Route } from '../route.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function secretMatches(expected: string | undefined, authorization: string | undefined): boolean {
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!expected || given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

const bounceBody = z
  .strictObject({
    type: z.enum(BOUNCE_KINDS).describe('hard (5.x.x), soft (4.x.x) or complaint (the recipient marked it as spam)'),
    returnPath: z.string().max(320).optional().describe('the VERP envelope sender the mail went out with: bounces+<id>.<tag>@BOUNCE_DOMAIN'),
    deliveryId: z.number().int().positive().optional().describe('the delivery id, when the provider reports it rather than the return path'),
  })
  .refine((b) => (b.returnPath === undefined) !== (b.deliveryId === undefined), { path: ['returnPath'], message: 'give returnPath or deliveryId (one of them)' });

export function mailBounceHookRoutes(deps: Deps): Route[] {
  const { config } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/hooks/mail/bounces',
      summary: 'A bounce (hard, soft) or complaint about a campaign mail (Authorization: Bearer <MAIL_HOOK_SECRET>)',
      tags: ['hooks'],
      security: 'none',
      verifyBody: (req) => {
        if (!secretMatches(config.mail.hookSecret, req.get('authorization'))) throw unauthorized('Missing or wrong shared secret.');
      },
      body: bounceBody,
      responses: {
        200: { description: 'applied', schema: z.object({ status: z.literal('applied') }) },
        400: { description: 'not a return path of ours' },
        401: { description: 'missing or wrong secret: nothing changed' },
        404: { description: 'no such delivery' },
      },
      handler: async ({ body }) => {
        const deliveryId = body.deliveryId ?? parseVerp({ secretKey: config.secretKeys, bounceDomain: config.mail.bounceDomain }, body.returnPath ?? '');
        if (deliveryId === null) throw badRequest('returnPath is not a return path of ours.', [{ field: 'body.returnPath', message: 'not ours' }]);
        const outcome = await applyBounce(deps.db, config.suppressionKey, deliveryId, body.type, (kind) => noteBounce(deps.metrics, kind));
        if (outcome === 'unknown-delivery') throw notFound('No such delivery.');
        return { body: { status: 'applied' } };
      },
    }),
  ];
}
