// An opt-out by reply is confirmed with one free SMS, at most once per number a day, in the
// organisation's words (PUT /v1/sms/settings) or the Dutch default, from the sender of the
// organisation's last message to that number. It is a batch of one (purpose
// 'opt-out-confirmation', cost 0) sent by the usual chunk job, so it goes the provider's way
// with its at-most-once rules, receipts and retention; the job carries ids only.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { phoneHash } from './opt-outs.js';
import { latestMessageTo } from './recipient-messages.js';
import { queueSingleSms } from './single-sms.js';

export const DEFAULT_CONFIRMATION = 'U bent afgemeld en ontvangt geen sms-berichten meer van deze afzender.';

/** Claims today's confirmation of this number: false when it already had one in the last 24 hours. */
async function claimConfirmation(db: Kysely<Database>, hash: Buffer): Promise<boolean> {
  const claimed = await sql`
    INSERT INTO sms_opt_out_confirmations (phone_hash, sent_at) VALUES (${hash}, now())
    ON CONFLICT (phone_hash) DO UPDATE SET sent_at = now()
    WHERE sms_opt_out_confirmations.sent_at <= now() - interval '1 day'
    RETURNING 1`.execute(db);
  return claimed.rows.length > 0;
}

/**
 * Stores the confirmation for `organizationId` in the caller's transaction; returns the job to
 * enqueue after the commit, or nothing (confirmed today already, or no sender known).
 */
export async function queueConfirmation(db: Kysely<Database>, suppressionKey: string, organizationId: string, phone: { e164: string; countryCallingCode: string }): Promise<JobRequest[]> {
  const last = await latestMessageTo(db, phone.e164, { organizationId });
  if (!last) return [];
  if (!(await claimConfirmation(db, phoneHash(suppressionKey, phone.e164)))) return [];
  const org = await db.selectFrom('organizations').select('sms_opt_out_confirmation').where('id', '=', organizationId).executeTakeFirstOrThrow();
  const text = org.sms_opt_out_confirmation ?? DEFAULT_CONFIRMATION;
  return queueSingleSms(db, { organizationId, purpose: 'opt-out-confirmation', sender: last.sender, text, phone });
}
