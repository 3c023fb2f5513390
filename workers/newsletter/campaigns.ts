// Campaigns of an organisation: made (checked: the list is the organisation's, every
// placeholder names a known field), read with their counts, paged. Every query is scoped to
// the organisation: another organisation's campaign is not found.
import { sql, type Kysely } from 'kysely';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../db/keyset.js';
import { DELIVERY_STATUSES, type Database, type DeliveryStatus, type NewsletterCampaign } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { InvalidFieldError, NotFoundError } from '../core/domain-errors.js';
import { unknownField } from './template.js';

/** Deliveries per chunk job: small enough that a campaign's chunks spread over the workers. */
export const CAMPAIGN_CHUNK_SIZE = 1_000;

export interface CampaignFields {
  readonly listId: string;
  readonly subject: string;
  readonly html: string;
  readonly text?: string | undefined;
  readonly fromName?: string | undefined;
  readonly replyTo?: string | undefined;
  readonly sendAt?: Date | undefined;
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;

export const startJob = (c: Pick<NewsletterCampaign, 'id' | 'send_at'>): JobRequest<'newsletter.start-campaign'> => ({
  name: 'newsletter.start-campaign',
  payload: { campaignId: c.id },
  options: { delay: Math.max(0, (c.send_at?.getTime() ?? 0) - Date.now()) },
});

/** Stores the campaign as scheduled (now, or at sendAt); the caller enqueues the returned start job after the commit. */
export async function createCampaign(db: Kysely<Database>, organizationId: string, fields: CampaignFields, actor: Actor): Promise<{ campaign: NewsletterCampaign; job: JobRequest }> {
  for (const name of ['subject', 'html', 'text'] as const) {
    const field = unknownField(fields[name] ?? '');
    if (field !== undefined) throw new InvalidFieldError(`body.${name}`, `unknown field {{${field}}}`, `The template names an unknown field: ${field.slice(0, 80)} (known: name, attributes.<key>).`);
  }
  return db.transaction().execute(async (trx) => {
    const list = await trx.selectFrom('newsletter_lists').select('id').where('id', '=', fields.listId).where('organization_id', '=', organizationId).executeTakeFirst();
    if (!list) throw new NotFoundError('No such list.');
    const campaign = await trx
      .insertInto('newsletter_campaigns')
      .values({
        organization_id: organizationId,
        list_id: list.id,
        subject: fields.subject,
        html: fields.html,
        text: fields.text ?? null,
        from_name: fields.fromName ?? null,
        reply_to: fields.replyTo ?? null,
        status: 'scheduled',
        send_at: fields.sendAt ?? sql<Date>`now()`,
        chunk_size: CAMPAIGN_CHUNK_SIZE,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, { ...actor, action: 'newsletter.campaign.created', entityType: 'newsletter_campaign', entityId: campaign.id });
    return { campaign, job: startJob(campaign) };
  });
}

export async function findCampaign(db: Kysely<Database>, organizationId: string | null, id: string): Promise<NewsletterCampaign | undefined> {
  let query = db.selectFrom('newsletter_campaigns').selectAll().where('id', '=', id);
  if (organizationId !== null) query = query.where('organization_id', '=', organizationId);
  return query.executeTakeFirst();
}

export async function campaignOr404(db: Kysely<Database>, organizationId: string, id: string): Promise<NewsletterCampaign> {
  const campaign = await findCampaign(db, organizationId, id);
  if (!campaign) throw new NotFoundError('No such campaign.');
  return campaign;
}

export async function listCampaigns(db: Kysely<Database>, organizationId: string, options: { limit: number; after?: Keyset }): Promise<{ items: NewsletterCampaign[]; next: Keyset | null }> {
  let query = db.selectFrom('newsletter_campaigns').selectAll().select(keysetMicros.as('keyset_micros')).where('organization_id', '=', organizationId);
  if (options.after) query = query.where(afterKeyset(options.after, 'desc'));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();
  const { items, next } = keysetPage(rows, options.limit);
  return { items: items.map(({ keyset_micros: _, ...c }) => c), next };
}

export type DeliveryCounts = Record<DeliveryStatus, number>;
export const noDeliveries = (): DeliveryCounts => Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as DeliveryCounts;

/** Deliveries by status for each campaign (one query for a page). */
export async function deliveryCounts(db: Kysely<Database>, campaignIds: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  const counts = new Map(campaignIds.map((id) => [id, noDeliveries()]));
  if (campaignIds.length === 0) return counts;
  const rows = await db
    .selectFrom('newsletter_deliveries')
    .select(['campaign_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('campaign_id', 'in', campaignIds)
    .groupBy(['campaign_id', 'status'])
    .execute();
  for (const row of rows) {
    const c = counts.get(row.campaign_id);
    if (c) c[row.status] = Number(row.n);
  }
  return counts;
}
