// The provider's id of every part a message went out as (sms_message_parts), in its canonical
// form; a receipt carries every reading of its own id, so it finds the part however either is written.
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { receiptKey } from '../smpp/message-ids.js';

export interface AcceptedPart {
  readonly messageId: number;
  readonly part: number;
  readonly smscId: string;
}

export async function storeParts(db: Db, parts: readonly AcceptedPart[]): Promise<void> {
  if (parts.length === 0) return;
  await sql`
    INSERT INTO sms_message_parts (message_id, part, smsc_id)
    SELECT * FROM unnest(${parts.map((p) => p.messageId)}::bigint[], ${parts.map((p) => p.part)}::smallint[], ${parts.map((p) => receiptKey(p.smscId))}::text[])
    ON CONFLICT DO NOTHING`.execute(db);
}
