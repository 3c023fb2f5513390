// Ops on the newsletter, across organisations: the campaigns waiting for them (paused after a
// burst of failures or for missing DKIM, or holding deliveries whose fate is unknown), resuming
// a paused one, and settling a campaign's unknown deliveries (mark them sent, or send them
// again: the only at-least-once door, explicit and in the audit log under the ops login).
import { z } from 'zod';
import { CAMPAIGN_STATUSES } from '../../db/schema.js';
import { opsActor } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { resumeCampaign } from '../../workers/newsletter/campaign-state.js';
import { campaignsForOps } from '../../workers/newsletter/ops-view.js';
import { SETTLE_ACTIONS, settleUnknown } from '../../workers/newsletter/settle-unknown.js';
import { defineRoute, type Route } from '../route.js';

const params = z.object({ id: z.uuid() });
const missing = { description: 'no such campaign' } as const;
const campaignForOps = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  status: z.enum(CAMPAIGN_STATUSES),
  pausedReason: z.string().nullable().describe('failure-burst (a send window mostly refused) or dkim-missing'),
  recipients: z.number().int(),
  unknown: z.number().int().describe('deliveries whose fate is unknown: settle them with POST …/unknown'),
  createdAt: z.string(),
});

export function opsNewsletterRoutes(deps: Deps): Route[] {
  const actor = () => opsActor(deps.config.ops.user);
  return [
    defineRoute({
      method: 'get',
      path: '/ops/campaigns',
      summary: 'Campaigns waiting for ops, newest first: paused (with the reason) or holding deliveries whose fate is unknown',
      tags: ['ops'],
      security: 'ops',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'the campaigns', schema: z.object({ items: z.array(campaignForOps) }) } },
      handler: async ({ query }) => {
        const items = await campaignsForOps(deps.db, query.limit);
        return { body: { items: items.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/ops/campaigns/{id}/resume',
      summary: 'Go on with a paused campaign of any organisation once the cause is dealt with (audited under the ops login)',
      tags: ['ops'],
      security: 'ops-write',
      params,
      responses: { 200: { description: 'sending again', schema: z.object({ id: z.uuid(), status: z.enum(CAMPAIGN_STATUSES) }) }, 404: missing, 409: { description: 'the campaign is not paused' } },
      handler: async ({ params: { id } }) => {
        const { campaign, jobs } = await resumeCampaign(deps.db, null, id, actor());
        await enqueueAfterCommit(deps, jobs, { replaceFinished: true });
        return { body: { id: campaign.id, status: campaign.status } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/ops/campaigns/{id}/unknown',
      summary: "Settle a campaign's deliveries whose fate is unknown: mark-sent (nobody mailed), or resend (they may get it twice: ops decide)",
      tags: ['ops'],
      security: 'ops-write',
      params,
      body: z.strictObject({ action: z.enum(SETTLE_ACTIONS) }),
      responses: {
        200: { description: 'settled', schema: z.object({ action: z.enum(SETTLE_ACTIONS), settled: z.number().int() }) },
        404: missing,
        409: { description: 'resend of a cancelled campaign' },
      },
      handler: async ({ params: { id }, body }) => {
        const { settled, jobs } = await settleUnknown(deps.db, id, body.action, actor());
        await enqueueAfterCommit(deps, jobs, { replaceFinished: true });
        return { body: { action: body.action, settled } };
      },
    }),
  ];
}
