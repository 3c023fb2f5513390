// The provider's id of every part a message went out as (sms_message_parts), with each reading
// of the id (idForms), so a later receipt finds its part however the id is written there.
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { idForms, receiptKey } from '../smpp/message-ids.js';

export interface AcceptedPart {
  readonly messageId: number;
  readonly part: number;
  readonly smscId: string;
}

export async function storeParts(db: Db, parts: readonly AcceptedPart[]): Promise<void> {
  if (parts.length === 0) return;
  await sql`
    INSERT INTO sms_message_parts (message_id, part, smsc_id, smsc_ids)
    SELECT u.message_id, u.part, u.smsc_id, string_to_array(u.forms, ' ')
    FROM unnest(${parts.map((p) => p.messageId)}::bigint[], ${parts.map((p) => p.part)}::smallint[], ${parts.map((p) => receiptKey(p.smscId))}::text[],
                ${parts.map((p) => idForms(p.smscId).join(' '))}::text[]) AS u(message_id, part, smsc_id, forms)
    ON CONFLICT DO NOTHING`.execute(db);
}
