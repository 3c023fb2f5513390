// /v1/campaigns: an organisation's newsletter campaigns (scope `mail`): made (202, sent now or
// at sendAt), read with their counts, paged, cancelled, tried on one address, resumed after
// an error pause.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { ConflictError } from '../../workers/core/domain-errors.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { auditActor } from '../../workers/identity/principal.js';
import { normaliseAddress } from '../../workers/newsletter/address.js';
import { TEST_MAILS_PER_ORGANIZATION_PER_DAY, queueTestMail } from '../../workers/newsletter/campaign-mail.js';
import { cancelCampaign, resumeCampaign } from '../../workers/newsletter/campaign-state.js';
import { campaignOr404, createCampaign, deliveryCounts, listCampaigns, noDeliveries } from '../../workers/newsletter/campaigns.js';
import { principalOf } from '../auth/bearer.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { badRequest } from '../problem.js';
import { consumeOrThrow, createLimiter } from '../rate-limit.js';
import { scheduledTime } from '../scheduled-time.js';
import { defineRoute, type Route } from '../route.js';
import { campaignSchema, pageQuery, toCampaign } from './newsletter-views.js';

/** A campaign is planned up to a year ahead; further is a typo (the year 9999 for 2026). */
const MAX_SCHEDULE_DAYS = 365;
const oneLine = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\r\n]*$/, 'one line');
const createBody = z.strictObject({
  listId: z.uuid(),
  subject: oneLine(500),
  html: z.string().min(1).max(1_000_000),
  text: z.string().min(1).max(1_000_000).optional(),
  fromName: oneLine(100).optional(),
  replyTo: z.email().max(254).optional(),
  sendAt: scheduledTime(MAX_SCHEDULE_DAYS).transform((v) => new Date(v)).optional(),
});
const params = z.object({ id: z.uuid() });
const common = { tags: ['newsletter'], security: 'bearer', scope: 'mail' } as const;
const one = { description: 'the campaign', schema: campaignSchema } as const;
const missing = { description: 'no such campaign in this organisation' } as const;

export function newsletterCampaignRoutes(deps: Deps): Route[] {
  const testsPerDay = createLimiter(deps.queues.connection, `${deps.config.queuePrefix}:ratelimit:campaign-tests`, TEST_MAILS_PER_ORGANIZATION_PER_DAY, 86_400);
  const withCounts = async (campaign: Parameters<typeof toCampaign>[0]) => {
    const counts = await deliveryCounts(deps.db, [campaign.id]);
    return toCampaign(campaign, counts.get(campaign.id) ?? noDeliveries());
  };
  return [
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/campaigns',
      summary: 'Make a campaign to a list: sent now, or at sendAt; {{name}} and {{attributes.x}} are filled in per subscriber',
      body: createBody,
      responses: { 202: { description: 'accepted: scheduled, the list is read when it starts', schema: campaignSchema }, 400: { description: 'bad input, or a placeholder naming an unknown field' }, 404: { description: 'no such list' }, 409: { description: 'campaigns cannot be sent (no DKIM in production)' } },
      handler: async ({ body }, _req, res) => {
        const { config } = deps;
        if (config.env === 'production' && config.mail.smtpUrl && !config.mail.dkim) {
          throw new ConflictError('Campaigns are not sent without DKIM: set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY.', 'body');
        }
        const principal = principalOf(res);
        const { campaign, job } = await createCampaign(deps.db, principal.organizationId, body, auditActor(principal));
        await enqueueAfterCommit(deps, [job]);
        return { status: 202, body: await withCounts(campaign) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/campaigns',
      summary: 'Campaigns, newest first, keyset-paginated, with their counts by delivery status',
      query: z.object(pageQuery),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(campaignSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listCampaigns(deps.db, principalOf(res).organizationId, { limit: query.limit, ...(query.cursor && { after: decodeCursor(query.cursor) }) });
        const counts = await deliveryCounts(deps.db, page.items.map((c) => c.id));
        return { body: { items: page.items.map((c) => toCampaign(c, counts.get(c.id) ?? noDeliveries())), nextCursor: page.next ? encodeCursor(page.next) : null } };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/v1/campaigns/{id}',
      summary: 'One campaign: status and counts (queued, sending, sent, failed, bounced, unsubscribed, unknown, cancelled)',
      params,
      responses: { 200: one, 404: missing },
      handler: async ({ params: { id } }, _req, res) => ({ body: await withCounts(await campaignOr404(deps.db, principalOf(res).organizationId, id)) }),
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/campaigns/{id}/cancel',
      summary: 'Cancel every delivery not yet handed to the relay; sent ones stay as they are',
      params,
      responses: { 200: one, 404: missing, 409: { description: 'already completed or cancelled' } },
      handler: async ({ params: { id } }, _req, res) => {
        const principal = principalOf(res);
        const { campaign } = await cancelCampaign(deps.db, principal.organizationId, id, auditActor(principal));
        return { body: await withCounts(campaign) };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/campaigns/{id}/resume',
      summary: 'Go on with a campaign paused after a burst of failures (once the cause is dealt with)',
      params,
      responses: { 200: one, 404: missing, 409: { description: 'the campaign is not paused' } },
      handler: async ({ params: { id } }, _req, res) => {
        const principal = principalOf(res);
        const { campaign, jobs } = await resumeCampaign(deps.db, principal.organizationId, id, auditActor(principal));
        await enqueueAfterCommit(deps, jobs, { replaceFinished: true });
        return { body: await withCounts(campaign) };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/v1/campaigns/{id}/test',
      summary: `Send the campaign once to one address, subject marked [TEST], without list headers (${TEST_MAILS_PER_ORGANIZATION_PER_DAY} a day per organisation; never to an address the organisation suppresses or a privacy restriction holds)`,
      params,
      body: z.strictObject({ email: z.string().max(320) }),
      responses: {
        202: { description: 'queued', schema: z.object({ status: z.literal('queued') }) },
        400: { description: 'not an e-mail address' },
        404: missing,
        409: { description: 'the address is suppressed by the organisation (unsubscribed, bounced, objected to) or restricted' },
        429: { description: `the organisation sent ${TEST_MAILS_PER_ORGANIZATION_PER_DAY} test mails in the last day; see Retry-After` },
      },
      handler: async ({ params: { id }, body }, _req, res) => {
        const campaign = await campaignOr404(deps.db, principalOf(res).organizationId, id);
        const checked = normaliseAddress(body.email);
        if (!checked.ok) throw badRequest('Give a valid e-mail address.', [{ field: 'body.email', message: `invalid address (${checked.reason})` }]);
        await consumeOrThrow(testsPerDay, campaign.organization_id);
        const messageId = await queueTestMail(deps.db, campaign, checked.email, deps.config.suppressionKey);
        await enqueueAfterCommit(deps, [{ name: 'mail.send', payload: { messageId } }]);
        return { status: 202, body: { status: 'queued' } };
      },
    }),
  ];
}
