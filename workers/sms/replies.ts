// Replies that are not a stop word: stored for the organisation whose message they answer
// (sms_replies, the number and text erased after 6 months like the messages), listed by
// GET /v1/sms/replies and, when that batch has a callbackUrl, sent there as `messages.reply`:
// the id and position of the message it answers and the text, never the number (the member
// knows who is at that position). The callback row holds the reply's id only; the text is read
// when it is sent, so the erasure of the reply reaches the callback too.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface ReplyView {
  readonly id: number;
  readonly batchId: string | null;
  readonly messageId: number | null;
  readonly index: number | null;
  readonly text: string | null;
  readonly receivedAt: string;
}

type ReplyRow = Pick<Database['sms_replies'], 'batch_id' | 'message_id' | 'message_seq' | 'text'> & { id: number | string; received_at: Date };

export function toReply(r: ReplyRow): ReplyView {
  return {
    id: Number(r.id),
    batchId: r.batch_id,
    messageId: r.message_id === null ? null : Number(r.message_id),
    index: r.message_seq,
    text: r.text,
    receivedAt: r.received_at.toISOString(),
  };
}

/** A stored callback payload as it is sent: a messages.reply gets its reply, read now. */
export async function expandCallbackPayload(db: Kysely<Database>, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (payload.type !== 'messages.reply' || typeof payload.replyId !== 'number') return payload;
  const { replyId, ...rest } = payload;
  const row = await db.selectFrom('sms_replies').select(['id', 'batch_id', 'message_id', 'message_seq', 'text', 'received_at']).where('id', '=', replyId).executeTakeFirst();
  return { ...rest, reply: row ? toReply(row) : { id: replyId, text: null } };
}
