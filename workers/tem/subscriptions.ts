// Subscriptions appear as call records name them. Our allocation (a cost centre of the
// organisation) wins over the carrier's cost-centre column, which stays as a hint.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface SubscriptionView {
  readonly msisdn: string;
  readonly holder_name: string | null;
  readonly cost_centre_id: string | null;
  readonly cost_centre_code: string | null;
  readonly cost_centre_name: string | null;
  readonly cost_centre_hint: string | null;
  readonly ended_on: Date | null;
  readonly first_seen_at: Date;
  readonly last_seen_at: Date;
}

function subscriptions(db: Kysely<Database>, organizationId: string) {
  return db
    .selectFrom('tem_subscriptions as s')
    .leftJoin('tem_cost_centres as c', 'c.id', 's.cost_centre_id')
    .select(['s.msisdn', 's.holder_name', 's.cost_centre_id', 'c.code as cost_centre_code', 'c.name as cost_centre_name', 's.cost_centre_hint', 's.ended_on', 's.first_seen_at', 's.last_seen_at'])
    .where('s.organization_id', '=', organizationId);
}

/** Ordered by number; `after` is the last number of the previous page. */
export async function listSubscriptions(db: Kysely<Database>, organizationId: string, options: { limit: number; after?: string }): Promise<{ items: SubscriptionView[]; next: string | null }> {
  let query = subscriptions(db, organizationId);
  if (options.after) query = query.where('s.msisdn', '>', options.after);
  const rows = await query.orderBy('s.msisdn').limit(options.limit + 1).execute();
  const items = rows.slice(0, options.limit);
  return { items, next: rows.length > options.limit ? (items.at(-1)?.msisdn ?? null) : null };
}

export function findSubscription(db: Kysely<Database>, organizationId: string, msisdn: string): Promise<SubscriptionView | undefined> {
  return subscriptions(db, organizationId).where('s.msisdn', '=', msisdn).executeTakeFirst();
}

export interface SubscriptionChange {
  readonly holderName?: string | null;
  readonly costCentreId?: string | null;
  /** 'YYYY-MM-DD': the day it ended (invoices billing it after that are flagged); null: running. */
  readonly endedOn?: string | null;
}

/** Sets the holder and/or our cost centre; false when the subscription is not the organisation's. */
export async function updateSubscription(db: Kysely<Database>, organizationId: string, msisdn: string, change: SubscriptionChange): Promise<boolean> {
  const result = await db
    .updateTable('tem_subscriptions')
    .set({
      ...(change.holderName !== undefined && { holder_name: change.holderName, holder_set: change.holderName !== null }),
      ...(change.costCentreId !== undefined && { cost_centre_id: change.costCentreId }),
      ...(change.endedOn !== undefined && { ended_on: change.endedOn }),
    })
    .where('organization_id', '=', organizationId)
    .where('msisdn', '=', msisdn)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
