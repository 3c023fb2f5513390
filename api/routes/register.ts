import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { retentionPolicy } from '../../workers/retention/policy.js';
import { buildRegister } from '../../workers/retention/register.js';
import { defineRoute, type Route } from '../route.js';

const registerSchema = z
  .object({
    controller: z.object({ name: z.string(), privacyStatement: z.string() }),
    categories: z.array(
      z.object({
        category: z.string(),
        purpose: z.string(),
        legalBasis: z.string(),
        dataSubjects: z.string(),
        personalData: z.array(z.string()),
        retention: z.string(),
        afterRetention: z.string(),
        processors: z.array(z.string()),
      }),
    ),
    processors: z.array(z.object({ name: z.string(), role: z.string() })),
  })
  .meta({ id: 'Register' });

export function registerRoutes(deps: Pick<Deps, 'config'>): Route[] {
  // The periods the purge enforces (RELATIONSHIP_GRACE_DAYS), not the defaults.
  const register = buildRegister(retentionPolicy(deps.config));
  return [
    defineRoute({
      method: 'get',
      path: '/public/register',
      summary: 'Register of processing: purposes, categories, retention and processors',
      tags: ['public'],
      security: 'none',
      responses: { 200: { description: 'the register, generated from the retention policy the purge enforces', schema: registerSchema } },
      selfContained: true,
      handler: () => ({ body: register }),
    }),
  ];
}
