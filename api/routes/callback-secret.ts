// The organisation's callback secret: the key of the HMAC on every SMS status callback.
import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { principalOf } from '../auth/bearer.js';
import { defineRoute, type Route } from '../route.js';

const secretSchema = z.object({ callbackSecret: z.string().describe('verify X-TGG-Signature with HMAC-SHA256 under this key') });

export function callbackSecretRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/callback-secret',
      summary: "The organisation's callback secret",
      tags: ['sms'],
      security: 'bearer',
      scope: 'admin',
      responses: { 200: { description: 'the secret', schema: secretSchema } },
      handler: async (_input, _req, res) => {
        const row = await deps.db.selectFrom('organizations').select('callback_secret').where('id', '=', principalOf(res).organizationId).executeTakeFirstOrThrow();
        return { body: { callbackSecret: row.callback_secret }, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/callback-secret/rotate',
      summary: 'Replace the callback secret; callbacks are signed with the new one from now on',
      tags: ['sms'],
      security: 'bearer',
      scope: 'admin',
      responses: { 200: { description: 'the new secret', schema: secretSchema } },
      handler: async (_input, _req, res) => {
        const principal = principalOf(res);
        const row = await deps.db
          .updateTable('organizations')
          .set({ callback_secret: sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')` })
          .where('id', '=', principal.organizationId)
          .returning('callback_secret')
          .executeTakeFirstOrThrow();
        await audit(deps.db, { ...auditActor(principal), organizationId: principal.organizationId, action: 'callback_secret.rotated', entityType: 'organization', entityId: principal.organizationId });
        return { body: { callbackSecret: row.callback_secret }, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
