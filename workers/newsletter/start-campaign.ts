// newsletter.start-campaign: a scheduled campaign whose time has come takes its snapshot of
// the list (snapshot.ts) and fans out its chunk jobs; a campaign with nobody to mail completes.
import { sql } from 'kysely';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import type { Handler } from '../core/handler.js';
import { campaignChunkJobs, cancelOpenCampaigns, completeCampaignIfDone, openCampaignChunks } from './campaign-state.js';
import { snapshotCampaign } from './snapshot.js';

export const startCampaign: Handler<'newsletter.start-campaign'> = async ({ campaignId }, { deps }) => {
  const recipients = await deps.db.transaction().execute(async (trx) => {
    // Stored as its organisation ended (the end cancelled the campaigns it saw): cancelled now, as the end would have.
    const ended = await trx
      .selectFrom('newsletter_campaigns as c')
      .innerJoin('organizations as o', 'o.id', 'c.organization_id')
      .select('c.organization_id')
      .where('c.id', '=', campaignId)
      .where('c.status', '=', 'scheduled')
      .where('o.ended_at', 'is not', null)
      .executeTakeFirst();
    if (ended) {
      await cancelOpenCampaigns(trx, ended.organization_id, { actorType: 'system', actorId: 'organization-ended', organizationId: ended.organization_id });
      return undefined;
    }
    const campaign = await trx
      .updateTable('newsletter_campaigns')
      .set({ status: 'queued', started_at: sql`now()` })
      .where('id', '=', campaignId)
      .where('status', '=', 'scheduled')
      .where('send_at', '<=', sql<Date>`now()`)
      .returningAll()
      .executeTakeFirst();
    if (!campaign) return undefined;
    const n = await snapshotCampaign(trx, deps.config.suppressionKey, campaign);
    await trx.updateTable('newsletter_campaigns').set({ recipients: n }).where('id', '=', campaignId).execute();
    return n;
  });
  if (recipients === undefined) return { chunks: 0 };
  const chunks = await openCampaignChunks(deps.db, campaignId);
  if (chunks.length === 0) await completeCampaignIfDone(deps.db, campaignId);
  await enqueueAfterCommit(deps, campaignChunkJobs(campaignId, chunks));
  return { chunks: chunks.length, recipients };
};
