// Bounces and complaints about a campaign delivery (P12), from the webhook or the bounce
// mailbox alike: the delivery becomes `bounced` (error_code bounce-hard, bounce-soft or
// complaint; a soft one never overwrites a harder one), and the address is suppressed in the
// organisation at once for a hard bounce or a complaint, and after three soft bounces in a
// row: its latest three finished deliveries all soft-bounced, so a delivery in between that
// did not bounce breaks the row. Applying the same report twice changes nothing more.
import { sql, type Kysely } from 'kysely';
import type { Database, SuppressionReason } from '../../db/schema.js';
import { audit } from '../core/audit.js';
import { suppress } from './suppression.js';

export const BOUNCE_KINDS = ['hard', 'soft', 'complaint'] as const;
export type BounceKind = (typeof BOUNCE_KINDS)[number];
export const SOFT_BOUNCES_IN_A_ROW = 3;

const CODE: Record<BounceKind, string> = { hard: 'bounce-hard', soft: 'bounce-soft', complaint: 'complaint' };
const SUPPRESSION: Record<'hard' | 'complaint', SuppressionReason> = { hard: 'hard_bounce', complaint: 'complaint' };

export type BounceOutcome = 'applied' | 'unknown-delivery';

/** `onFirst` hears of a delivery's first bounce or complaint once it is committed (for the metrics). */
export async function applyBounce(db: Kysely<Database>, suppressionKey: string, deliveryId: number, kind: BounceKind, onFirst?: (kind: BounceKind) => void): Promise<BounceOutcome> {
  let first = false;
  const outcome = await db.transaction().execute(async (trx) => {
    const delivery = await trx
      .selectFrom('newsletter_deliveries as d')
      .leftJoin('newsletter_subscribers as s', 's.id', 'd.subscriber_id')
      .select(['d.id', 'd.organization_id', 'd.address_hash', 'd.status', 's.email'])
      .where('d.id', '=', deliveryId)
      .forUpdate('d')
      .executeTakeFirst();
    if (!delivery) return 'unknown-delivery';
    let update = trx
      .updateTable('newsletter_deliveries')
      .set({ status: 'bounced', error_code: CODE[kind], updated_at: sql`now()` })
      .where('id', '=', delivery.id)
      .where('status', 'in', ['sent', 'unknown', 'bounced']);
    if (kind === 'soft') update = update.where((eb) => eb.or([eb('error_code', 'is', null), eb('error_code', 'not in', [CODE.hard, CODE.complaint])]));
    const moved = await update.executeTakeFirst();
    first = delivery.status !== 'bounced' && moved.numUpdatedRows > 0n;

    const reason = kind === 'soft' ? await softBounceSuppression(trx, delivery) : SUPPRESSION[kind];
    // With the subscriber still there, suppress() also ends its subscriptions in the organisation.
    if (reason) await suppress(trx, suppressionKey, delivery.organization_id, delivery.email ?? delivery.address_hash, reason);
    await audit(trx, {
      actorType: 'system',
      actorId: 'bounces',
      organizationId: delivery.organization_id,
      action: 'newsletter.delivery.bounced',
      entityType: 'newsletter_delivery',
      entityId: String(delivery.id),
      details: { kind, ...(reason && { suppressed: reason }) },
    });
    return 'applied' as const;
  });
  if (first) onFirst?.(kind);
  return outcome;
}

async function softBounceSuppression(trx: Kysely<Database>, delivery: { organization_id: string; address_hash: Buffer }): Promise<SuppressionReason | undefined> {
  const latest = await trx
    .selectFrom('newsletter_deliveries')
    .select(['status', 'error_code'])
    .where('organization_id', '=', delivery.organization_id)
    .where('address_hash', '=', delivery.address_hash)
    .where('status', 'not in', ['queued', 'sending', 'cancelled'])
    .orderBy('id', 'desc')
    .limit(SOFT_BOUNCES_IN_A_ROW)
    .execute();
  const inARow = latest.length === SOFT_BOUNCES_IN_A_ROW && latest.every((d) => d.status === 'bounced' && d.error_code === CODE.soft);
  return inARow ? 'soft_bounces' : undefined;
}
