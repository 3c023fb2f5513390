// Which organisation's message an incoming SMS answers: the latest message to that number
// (the platform's own opt-out confirmations aside), preferring one sent from the number the
// reply was sent to.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface AnsweredMessage {
  readonly id: number;
  readonly seq: number;
  readonly batch_id: string;
  readonly organization_id: string;
  readonly sender: string;
  readonly callback_url: string | null;
  readonly reference: string | null;
}

export async function latestMessageTo(db: Kysely<Database>, phone: string, options: { organizationId?: string; to?: string }): Promise<AnsweredMessage | undefined> {
  let q = db
    .selectFrom('sms_messages as m')
    .innerJoin('sms_batches as b', 'b.id', 'm.batch_id')
    .select(['m.id', 'm.seq', 'm.batch_id', 'm.organization_id', 'b.sender', 'b.callback_url', 'b.reference'])
    .where('m.phone', '=', phone)
    .where('b.purpose', '<>', 'opt-out-confirmation');
  if (options.organizationId) q = q.where('m.organization_id', '=', options.organizationId);
  if (options.to) {
    const digits = options.to.replace(/^\+/, '');
    q = q.orderBy(sql`b.sender IN (${digits}, ${`+${digits}`})`, 'desc');
  }
  const row = await q.orderBy('m.id', 'desc').limit(1).executeTakeFirst();
  return row && { ...row, id: Number(row.id) };
}
