// The organisation's callback secret: the key of the HMAC on every SMS status callback.
import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { principalOf } from '../auth/bearer.js';
import { defineRoute, type Route } from '../route.js';

const secretSchema = z.object({ callbackSecret: z.string().describe('verify X-TGG-Signature with HMAC-SHA256 under this key') });

/** A secret is never cached on the way. */
const secretReply = (callbackSecret: string) => ({ body: { callbackSecret }, headers: { 'Cache-Control': 'no-store' } });

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
        return secretReply(row.callback_secret);
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
          // The column's default (see the migration) makes a new one.
          .set({ callback_secret: sql`DEFAULT` })
          .where('id', '=', principal.organizationId)
          .returning('callback_secret')
          .executeTakeFirstOrThrow();
        await audit(deps.db, { ...auditActor(principal), action: 'callback_secret.rotated', entityType: 'organization', entityId: principal.organizationId });
        return secretReply(row.callback_secret);
      },
    }),
  ];
}
