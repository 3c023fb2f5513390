// An organisation's API keys: listed by prefix, never shown again after creation.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { createAuditedApiKey, listApiKeys, revokeApiKey, type ApiKeySummary } from '../../workers/identity/api-keys.js';
import { SCOPES, scopesBeyond } from '../../workers/identity/scopes.js';
import { auditActor } from '../../workers/identity/principal.js';
import { principalOf } from '../auth/bearer.js';
import { badRequest, forbidden } from '../problem.js';
import { defineRoute, type Route } from '../route.js';

const scopeSchema = z.enum(SCOPES);

export const createdKeySchema = z
  .object({ id: z.uuid(), prefix: z.string(), key: z.string().describe('the whole key: shown once, store it now'), scopes: z.array(scopeSchema) })
  .meta({ id: 'CreatedApiKey' });

const keySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(scopeSchema),
    userId: z.uuid().nullable(),
    createdByUserId: z.uuid().nullable().describe('the user who made the key (from a session or a key of theirs), when known'),
    createdByKeyId: z.uuid().nullable().describe('the key that made this key, when a key did'),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const toKey = (k: ApiKeySummary) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  userId: k.user_id,
  createdByUserId: k.created_by_user_id,
  createdByKeyId: k.created_by_key_id,
  createdAt: k.created_at.toISOString(),
  lastUsedAt: k.last_used_at?.toISOString() ?? null,
  revokedAt: k.revoked_at?.toISOString() ?? null,
});

export function apiKeyRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      summary: 'Create an API key; the key is in this answer only',
      tags: ['api keys'],
      security: 'bearer',
      scope: 'admin',
      body: z.strictObject({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(scopeSchema).min(1),
        owner: z.enum(['organization', 'user']).default('organization').describe('user: the key goes with the user who creates it'),
      }),
      responses: { 201: { description: 'created', schema: createdKeySchema } },
      handler: async ({ body }, _req, res) => {
        const principal = principalOf(res);
        const beyond = scopesBeyond(body.scopes, principal.scopes);
        if (beyond.length > 0) throw forbidden(`A key cannot have scopes its creator lacks: ${beyond.join(', ')}.`);
        if (body.owner === 'user' && principal.userId === null) throw badRequest('Only a user (a session or a user key) can own a key.', [{ field: 'body.owner', message: 'no user is calling' }]);
        const owner = body.owner === 'user' ? principal.userId : null;
        const input = { organizationId: principal.organizationId, userId: owner, name: body.name, scopes: [...new Set(body.scopes)], createdBy: principal };
        const key = await createAuditedApiKey(deps.db, input, auditActor(principal));
        return { status: 201, body: key };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      summary: "The organisation's API keys (prefixes, scopes, last use; never the key)",
      tags: ['api keys'],
      security: 'bearer',
      scope: 'admin',
      responses: { 200: { description: 'keys', schema: z.object({ items: z.array(keySchema) }) } },
      handler: async (_input, _req, res) => ({ body: { items: (await listApiKeys(deps.db, principalOf(res).organizationId)).map(toKey) } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/{id}',
      summary: 'Revoke an API key',
      tags: ['api keys'],
      security: 'bearer',
      scope: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'revoked' }, 404: { description: 'no such live key in this organisation' } },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        await revokeApiKey(deps.db, principal.organizationId, params.id, auditActor(principal));
        return { status: 204 };
      },
    }),
  ];
}
