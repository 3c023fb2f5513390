// Which organisation's message an incoming SMS answers: the latest message to that number
// (the platform's own opt-out confirmations aside), preferring one sent from the number the
// reply was sent to. A LATERAL subquery, so a whole post is matched in one statement.
import { sql, type RawBuilder } from 'kysely';

/**
 * `(SELECT m.id, m.seq, m.batch_id, m.organization_id, b.sender ... LIMIT 1)` for the number
 * `phone` (E.164) replied to `digits` (the number sent to, without '+'; NULL when unknown),
 * optionally of one organisation only.
 */
export function latestMessageTo(phone: RawBuilder<unknown>, digits: RawBuilder<unknown>, organizationId?: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(
    SELECT m.id, m.seq, m.batch_id, m.organization_id, b.sender
    FROM sms_messages m JOIN sms_batches b ON b.id = m.batch_id
    WHERE m.phone = ${phone} AND b.purpose <> 'opt-out-confirmation' ${organizationId ? sql`AND m.organization_id = ${organizationId}` : sql``}
    ORDER BY coalesce(b.sender IN (${digits}, '+' || ${digits}), false) DESC, m.id DESC
    LIMIT 1
  )`;
}
