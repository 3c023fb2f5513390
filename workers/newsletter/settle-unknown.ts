// Ops settle a campaign's deliveries whose fate is unknown (the connection dropped after the
// final '.', or a worker died holding them): they may have reached the subscriber. Ops decide,
// per campaign: `mark-sent` counts them sent and mails nobody; `resend` queues them again,
// the platform's only at-least-once door, which nothing else opens. Both are audited in the
// same transaction under the ops login; the caller enqueues the returned jobs after the commit.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { ConflictError, NotFoundError } from '../core/domain-errors.js';
import { campaignChunkJobs } from './campaign-state.js';

export const SETTLE_ACTIONS = ['mark-sent', 'resend'] as const;
export type SettleAction = (typeof SETTLE_ACTIONS)[number];

export interface Settled {
  readonly settled: number;
  readonly jobs: JobRequest[];
}

export async function settleUnknown(db: Db, campaignId: string, action: SettleAction, actor: Pick<AuditEntry, 'actorType' | 'actorId'>): Promise<Settled> {
  return db.transaction().execute(async (trx) => {
    const campaign = await trx.selectFrom('newsletter_campaigns').select(['id', 'organization_id', 'status', 'chunk_size']).where('id', '=', campaignId).forUpdate().executeTakeFirst();
    if (!campaign) throw new NotFoundError('No such campaign.');
    const settled = async (count: number, jobs: JobRequest[]) => {
      const name = action === 'resend' ? 'resend_unknown' : 'unknown_marked_sent';
      await audit(trx, { ...actor, organizationId: campaign.organization_id, action: `newsletter.campaign.${name}`, entityType: 'newsletter_campaign', entityId: campaignId, details: { settled: count } });
      return { settled: count, jobs };
    };
    if (action === 'mark-sent') {
      const result = await trx
        .updateTable('newsletter_deliveries')
        .set({ status: 'sent', error_code: 'ops-marked-sent', sent_at: sql`coalesce(claimed_at, now())`, updated_at: sql`now()` })
        .where('campaign_id', '=', campaignId)
        .where('status', '=', 'unknown')
        .executeTakeFirst();
      return settled(Number(result.numUpdatedRows), []);
    }
    if (campaign.status === 'cancelled') throw new ConflictError('The campaign is cancelled: its unknown deliveries can only be marked sent.', 'params.id');
    const rows = await trx
      .updateTable('newsletter_deliveries')
      .set({ status: 'queued', error_code: null, next_attempt_at: sql`now()`, updated_at: sql`now()` })
      .where('campaign_id', '=', campaignId)
      .where('status', '=', 'unknown')
      .returning('seq')
      .execute();
    const chunks = [...new Set(rows.map((r) => Math.floor(r.seq / campaign.chunk_size)))].sort((a, b) => a - b);
    if (chunks.length === 0) return settled(0, []);
    await trx
      .insertInto('newsletter_campaign_chunks')
      .values(chunks.map((chunk) => ({ campaign_id: campaignId, chunk, done: false })))
      .onConflict((oc) => oc.columns(['campaign_id', 'chunk']).doUpdateSet({ done: false }))
      .execute();
    // A completed campaign sends again; a paused one waits for its resume (which enqueues the open chunks).
    const reopened = await trx
      .updateTable('newsletter_campaigns')
      .set({ status: 'sending', completed_at: null })
      .where('id', '=', campaignId)
      .where('status', 'in', ['completed', 'sending', 'queued'])
      .executeTakeFirst();
    return settled(rows.length, reopened.numUpdatedRows > 0n ? campaignChunkJobs(campaignId, chunks) : []);
  });
}
