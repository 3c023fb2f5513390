// The organisation's callback secret: the key of the HMAC on every SMS status callback.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { callbackSecretOf, rotateCallbackSecret } from '../../workers/sms/callback-secret.js';
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
        return secretReply(await callbackSecretOf(deps.db, principalOf(res).organizationId));
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
        return secretReply(await rotateCallbackSecret(deps.db, principal.organizationId, auditActor(principal)));
      },
    }),
  ];
}
