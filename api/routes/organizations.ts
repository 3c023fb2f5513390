// Ops: organisations (members) come and go here; the first API key is shown once.
import { z } from 'zod';
import type { Organization } from '../../db/schema.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { createOpsKey, createOrganization, endOrganization, listOrganizations } from '../../workers/identity/organizations.js';
import { defineRoute, type Route } from '../route.js';
import { createdKeySchema } from './api-keys.js';

const organizationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string().describe('unique, derived from the name; users log in with it and their username'),
    startedAt: z.string(), endedAt: z.string().nullable(),
    house: z.boolean().describe("TGG's own organisation: it sends TGG's newsletter"),
  })
  .meta({ id: 'Organization' });

const toOrganization = (o: Organization) => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  startedAt: o.started_at.toISOString(),
  endedAt: o.ended_at?.toISOString() ?? null,
  house: o.house,
});

export function organizationRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/ops/organizations',
      summary: 'Create an organisation (a member) and its first API key, shown once',
      tags: ['ops'],
      security: 'ops-write',
      body: z.strictObject({ name: z.string().trim().min(1).max(200) }),
      responses: { 201: { description: 'created', schema: z.object({ organization: organizationSchema, apiKey: createdKeySchema }) } },
      handler: async ({ body }) => {
        const { organization, apiKey } = await createOrganization(deps.db, body.name, deps.config.ops.user);
        return { status: 201, body: { organization: toOrganization(organization), apiKey } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ops/organizations',
      summary: 'Every organisation',
      tags: ['ops'],
      security: 'ops',
      responses: { 200: { description: 'organisations', schema: z.object({ items: z.array(organizationSchema) }) } },
      handler: async () => ({ body: { items: (await listOrganizations(deps.db)).map(toOrganization) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/ops/organizations/{id}/keys',
      summary: 'Give an organisation a new API key with every scope, shown once (the house organisation starts without one)',
      tags: ['ops'],
      security: 'ops-write',
      params: z.object({ id: z.uuid() }),
      responses: { 201: { description: 'created', schema: createdKeySchema }, 404: { description: 'no such organisation, or ended' } },
      handler: async ({ params }) => ({ status: 201, body: await createOpsKey(deps.db, params.id, deps.config.ops.user) }),
    }),
    defineRoute({
      method: 'post',
      path: '/ops/organizations/{id}/end',
      summary: "End an organisation's relationship: its keys and sessions stop at once, its open SMS batches and campaigns are cancelled; contacts and users go after the grace period",
      tags: ['ops'],
      security: 'ops-write',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'ended', schema: organizationSchema }, 404: { description: 'no such organisation' } },
      handler: async ({ params }) => {
        const { organization, jobs } = await endOrganization(deps.db, params.id, deps.config.ops.user);
        await enqueueAfterCommit(deps, jobs);
        return { body: toOrganization(organization) };
      },
    }),
  ];
}
