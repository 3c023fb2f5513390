// A campaign's state moves, each a conditional update: cancel (by the organisation), pause
// (by a send job seeing a burst of failures) and resume (after ops looked), completion.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, NewsletterCampaign } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { chunkPriority } from '../core/chunk-priority.js';
import { ConflictError, NotFoundError } from '../core/domain-errors.js';

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;

export function campaignChunkJobs(campaignId: string, chunks: readonly number[]): JobRequest<'newsletter.send-chunk'>[] {
  return chunks.map((chunk) => ({ name: 'newsletter.send-chunk', payload: { campaignId, chunk }, options: { priority: chunkPriority(chunk) } }));
}

export async function openCampaignChunks(db: Kysely<Database>, campaignId: string): Promise<number[]> {
  const rows = await db.selectFrom('newsletter_campaign_chunks').select('chunk').where('campaign_id', '=', campaignId).where('done', '=', false).orderBy('chunk').execute();
  return rows.map((r) => r.chunk);
}

/** organizationId null: any organisation's (ops). */
async function refuseUnless(trx: Kysely<Database>, organizationId: string | null, id: string, detail: string): Promise<never> {
  let query = trx.selectFrom('newsletter_campaigns').select('id').where('id', '=', id);
  if (organizationId !== null) query = query.where('organization_id', '=', organizationId);
  const exists = await query.executeTakeFirst();
  if (exists) throw new ConflictError(detail, 'params.id');
  throw new NotFoundError('No such campaign.');
}

const OPEN = ['scheduled', 'queued', 'sending', 'paused'] as const;

/** Cancels every delivery not yet handed to the relay; those sent stay as they are. */
export async function cancelCampaign(db: Db, organizationId: string, id: string, actor: Actor): Promise<{ campaign: NewsletterCampaign; cancelled: number }> {
  return db.transaction().execute(async (trx) => (await cancelCampaignIn(trx, organizationId, id, actor)) ?? refuseUnless(trx, organizationId, id, 'The campaign is already completed or cancelled.'));
}

/** Every open campaign of an organisation whose relationship ended, cancelled in the caller's transaction: nothing more goes out on its behalf. */
export async function cancelOpenCampaigns(trx: Kysely<Database>, organizationId: string, actor: Actor): Promise<void> {
  const open = await trx.selectFrom('newsletter_campaigns').select('id').where('organization_id', '=', organizationId).where('status', 'in', OPEN).execute();
  for (const { id } of open) await cancelCampaignIn(trx, organizationId, id, actor);
}

/** cancelCampaign in the caller's transaction; undefined when the campaign is not open (or not the organisation's). */
async function cancelCampaignIn(trx: Kysely<Database>, organizationId: string, id: string, actor: Actor): Promise<{ campaign: NewsletterCampaign; cancelled: number } | undefined> {
  const campaign = await trx
    .updateTable('newsletter_campaigns')
    .set({ status: 'cancelled', completed_at: sql`now()` })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('status', 'in', OPEN)
    .returningAll()
    .executeTakeFirst();
  if (!campaign) return undefined;
  // Rows a send job holds are skipped, not waited for; the job cancels what it finds left (send-chunk.ts).
  const result = await sql`
    UPDATE newsletter_deliveries SET status = 'cancelled', updated_at = now()
    WHERE id IN (SELECT id FROM newsletter_deliveries WHERE campaign_id = ${id} AND status = 'queued' FOR UPDATE SKIP LOCKED)`.execute(trx);
  await trx.updateTable('newsletter_campaign_chunks').set({ done: true }).where('campaign_id', '=', id).execute();
  const cancelled = Number(result.numAffectedRows ?? 0);
  await audit(trx, { ...actor, action: 'newsletter.campaign.cancelled', entityType: 'newsletter_campaign', entityId: id, details: { cancelled } });
  return { campaign, cancelled };
}

/**
 * A paused campaign goes on, resumed by its organisation or (organizationId null) by ops; the
 * caller enqueues the returned chunk jobs after the commit.
 */
export async function resumeCampaign(db: Db, organizationId: string | null, id: string, actor: Actor): Promise<{ campaign: NewsletterCampaign; jobs: JobRequest[] }> {
  return db.transaction().execute(async (trx) => {
    let update = trx.updateTable('newsletter_campaigns').set({ status: 'sending', paused_reason: null }).where('id', '=', id).where('status', '=', 'paused');
    if (organizationId !== null) update = update.where('organization_id', '=', organizationId);
    const campaign = await update.returningAll().executeTakeFirst();
    if (!campaign) return refuseUnless(trx, organizationId, id, 'Only a paused campaign can be resumed.');
    await audit(trx, { ...actor, organizationId: campaign.organization_id, action: 'newsletter.campaign.resumed', entityType: 'newsletter_campaign', entityId: id });
    return { campaign, jobs: campaignChunkJobs(id, await openCampaignChunks(trx, id)) };
  });
}

/** Stops the sending for ops to look at; true when this call paused it. */
export async function pauseCampaign(db: Db, id: string, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('newsletter_campaigns')
    .set({ status: 'paused', paused_reason: reason })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markCampaignSending(db: Db, id: string): Promise<void> {
  await db.updateTable('newsletter_campaigns').set({ status: 'sending' }).where('id', '=', id).where('status', '=', 'queued').execute();
}

/** Completes the campaign when no chunk is open; true when this call completed it. */
export async function completeCampaignIfDone(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('newsletter_campaigns')
    .set({ status: 'completed', completed_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('newsletter_campaign_chunks').select('chunk').where('campaign_id', '=', id).where('done', '=', false))))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
