// Queries of the campaign send path. State moves only by conditional updates: a window of a
// chunk is claimed queued → sending in one statement (rows another job holds are skipped),
// and its outcomes are written back with unnest arrays in one statement. A row left in
// 'sending' is never claimed again: past the timeout it becomes 'unknown' (at most once).
import { sql, type Kysely } from 'kysely';
import { PREPARED, type Db } from '../../db/database.js';
import type { Database, DeliveryStatus, SubscriberAttributes } from '../../db/schema.js';
import type { Language } from '../messages/catalogue.js';

/** A delivery left in 'sending' this long may or may not have reached the relay: it becomes 'unknown'. */
export const DELIVERY_SENDING_TIMEOUT = '10 minutes';
/** Relay attempts per delivery: a 4xx on the last one fails it. */
export const MAX_DELIVERY_ATTEMPTS = 5;

export interface ClaimedDelivery {
  readonly id: number;
  readonly subscriberId: string;
  readonly email: string;
  readonly name: string | null;
  readonly attributes: SubscriberAttributes;
  /** The subscriber's: the footer of the mail is written in it. */
  readonly language: Language;
  /** Relay attempts including this one. */
  readonly attempts: number;
}

export interface ChunkRange {
  readonly campaignId: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Claims up to `size` due queued deliveries of the range, from seq `from` on, while the
 * campaign is queued or sending. A delivery whose subscriber is gone, unsubscribed or
 * suppressed since the snapshot becomes 'unsubscribed' instead, one a privacy restriction
 * holds becomes 'cancelled' (error_code 'restricted'); neither is returned.
 */
export async function claimDeliveries(db: Db, r: ChunkRange, size: number): Promise<{ deliveries: ClaimedDelivery[]; lastSeq: number | null; held: { suppressed: number; restricted: number } }> {
  const result = await sql<{ id: string; seq: number; status: string; attempts: number; subscriber_id: string; email: string; name: string | null; attributes: SubscriberAttributes; language: Language }>`${sql.raw(PREPARED)}
    WITH picked AS (
      SELECT d.id, s.email, s.name, s.attributes, s.language, s.id AS subscriber_id,
             (s.id IS NOT NULL AND s.status = 'subscribed' AND NOT EXISTS (
               SELECT 1 FROM newsletter_suppressions x WHERE x.organization_id = d.organization_id AND x.address_hash = d.address_hash)) AS mailable,
             EXISTS (SELECT 1 FROM privacy_restrictions r WHERE r.identifier_hash = d.address_hash) AS restricted
      FROM newsletter_deliveries d LEFT JOIN newsletter_subscribers s ON s.id = d.subscriber_id
      WHERE d.campaign_id = ${r.campaignId} AND d.seq >= ${r.from} AND d.seq < ${r.to} AND d.status = 'queued' AND d.next_attempt_at <= now()
        AND EXISTS (SELECT 1 FROM newsletter_campaigns c WHERE c.id = ${r.campaignId} AND c.status IN ('queued', 'sending'))
      ORDER BY d.seq LIMIT ${size} FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE newsletter_deliveries d
    SET status = CASE WHEN p.restricted THEN 'cancelled' WHEN p.mailable THEN 'sending' ELSE 'unsubscribed' END,
        error_code = CASE WHEN p.restricted THEN 'restricted' WHEN p.mailable THEN d.error_code ELSE 'suppressed' END,
        attempts = d.attempts + (CASE WHEN p.mailable AND NOT p.restricted THEN 1 ELSE 0 END),
        claimed_at = now(), updated_at = now()
    FROM picked p WHERE d.id = p.id AND d.status = 'queued'
    RETURNING d.id, d.seq, d.status, d.attempts, p.subscriber_id, p.email, p.name, p.attributes, p.language`.execute(db);
  const rows = result.rows.sort((a, b) => a.seq - b.seq);
  return {
    deliveries: rows.filter((row) => row.status === 'sending').map((row) => ({ id: Number(row.id), subscriberId: row.subscriber_id, email: row.email, name: row.name, attributes: row.attributes, language: row.language, attempts: row.attempts })),
    lastSeq: rows.at(-1)?.seq ?? null,
    held: { suppressed: rows.filter((row) => row.status === 'unsubscribed').length, restricted: rows.filter((row) => row.status === 'cancelled').length },
  };
}

export interface DeliveryOutcome {
  readonly id: number;
  /** queued: the relay did not take it (4xx, connection lost before DATA): it goes again after retryMs. */
  readonly status: 'sent' | 'failed' | 'unknown' | 'queued';
  readonly smtpCode: number | null;
  readonly errorCode: string | null;
  readonly retryMs: number;
}

/** A window's outcomes in one statement; a 4xx on the last attempt fails the delivery. Returns the statuses written. */
export async function writeDeliveryOutcomes(db: Db, outcomes: readonly DeliveryOutcome[]): Promise<DeliveryStatus[]> {
  if (outcomes.length === 0) return [];
  const written = await sql<{ status: DeliveryStatus }>`${sql.raw(PREPARED)}
    UPDATE newsletter_deliveries d
    SET status = CASE WHEN u.status = 'queued' AND d.attempts >= ${MAX_DELIVERY_ATTEMPTS} THEN 'failed' ELSE u.status END,
        smtp_code = u.smtp_code, error_code = u.error_code,
        next_attempt_at = CASE WHEN u.status = 'queued' THEN now() + u.retry_ms * interval '1 millisecond' ELSE d.next_attempt_at END,
        sent_at = CASE WHEN u.status = 'sent' THEN now() ELSE d.sent_at END,
        updated_at = now()
    FROM unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.smtpCode)}::smallint[],
                ${outcomes.map((o) => o.errorCode)}::text[], ${outcomes.map((o) => o.retryMs)}::int[]) AS u(id, status, smtp_code, error_code, retry_ms)
    WHERE d.id = u.id AND d.status = 'sending'
    RETURNING d.status`.execute(db);
  return written.rows.map((row) => row.status);
}

/** When the earliest queued delivery of the range may go again; null when none is queued. */
export async function nextQueuedAt(db: Kysely<Database>, r: ChunkRange): Promise<Date | null> {
  const row = await db
    .selectFrom('newsletter_deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('campaign_id', '=', r.campaignId)
    .where('seq', '>=', r.from)
    .where('seq', '<', r.to)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return row?.at ?? null;
}

/**
 * Done only when no delivery of the chunk is queued or sending: a window a dead worker left
 * 'sending' keeps the chunk (and the campaign) open until the sweep makes it 'unknown'.
 */
export async function markCampaignChunkDone(db: Db, r: ChunkRange & { chunk: number }): Promise<boolean> {
  const result = await sql`
    UPDATE newsletter_campaign_chunks SET done = true
    WHERE campaign_id = ${r.campaignId} AND chunk = ${r.chunk} AND NOT done
      AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries WHERE campaign_id = ${r.campaignId} AND seq >= ${r.from} AND seq < ${r.to} AND status IN ('queued', 'sending'))`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** The queued deliveries of a cancelled campaign's range become 'cancelled'. */
export async function cancelQueuedDeliveries(db: Db, r: ChunkRange): Promise<void> {
  await db
    .updateTable('newsletter_deliveries')
    .set({ status: 'cancelled', updated_at: sql`now()` })
    .where('campaign_id', '=', r.campaignId)
    .where('seq', '>=', r.from)
    .where('seq', '<', r.to)
    .where('status', '=', 'queued')
    .execute();
}

/** Deliveries claimed longer than the timeout ago without an outcome become 'unknown', never re-sent. */
export async function expireSendingDeliveries(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('newsletter_deliveries')
    .set({ status: 'unknown', error_code: 'sending-timeout', updated_at: sql`now()` })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', sql<Date>`now() - ${DELIVERY_SENDING_TIMEOUT}::interval`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
