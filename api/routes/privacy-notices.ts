// Members' side (art. 19, 28): the notices of erasures, restrictions and corrections that
// touched data TGG processes for them, and where to POST them (signed like the SMS callbacks).
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { listNotices } from '../../workers/privacy/notices.js';
import { callbackTargetProblem, callbackTargetRules } from '../../workers/sms/callback-target.js';
import { principalOf } from '../auth/bearer.js';
import { badRequest } from '../problem.js';
import { defineRoute, type Route } from '../route.js';

export function privacyNoticeRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/privacy/notices',
      summary: "Notices of privacy requests that touched this organisation's data: counts per category, newest first",
      tags: ['privacy'],
      security: 'bearer',
      scope: 'privacy',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'notices' } },
      handler: async ({ query }, _req, res) => ({ body: { items: await listNotices(deps.db, principalOf(res).organizationId, query.limit) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/privacy/callback',
      summary: 'Where notices are POSTed (signed with the callback secret, X-TGG-Signature); null to stop',
      tags: ['privacy'],
      security: 'bearer',
      scope: 'privacy',
      body: z.strictObject({ url: z.string().max(2000).nullable() }),
      responses: { 200: { description: 'set' }, 400: { description: 'not an address callbacks may go to' } },
      handler: async ({ body }, _req, res) => {
        if (body.url) {
          const problem = await callbackTargetProblem(body.url, callbackTargetRules(deps.config));
          if (problem) throw badRequest('This callback address cannot be used.', [{ field: 'body.url', message: problem }]);
        }
        await deps.db.updateTable('organizations').set({ privacy_callback_url: body.url }).where('id', '=', principalOf(res).organizationId).execute();
        return { body: { url: body.url } };
      },
    }),
  ];
}
