// Plain replies (no stop word, not a part of a longer message) of one post of the HTTP
// gateway, stored in one statement: each finds the message it answers as recipient-messages.ts says
// (the latest to that number, the platform's confirmations aside,
// preferring one sent from the number replied to), becomes an sms_replies row, and, when that
// batch has a callbackUrl, a messages.reply callback holding the reply's id.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { latestMessageTo } from './recipient-messages.js';

export interface PlainReply {
  /** E.164. */
  readonly phone: string;
  readonly to: string | undefined;
  readonly text: string;
}

/** Returns the ids of the callbacks queued, and how many replies found no message. */
export async function storePlainReplies(db: Kysely<Database>, replies: readonly PlainReply[]): Promise<{ callbackIds: number[]; unmatched: number }> {
  if (replies.length === 0) return { callbackIds: [], unmatched: 0 };
  const result = await sql<{ callback_id: string | null; stored: string }>`
    WITH input AS (
      SELECT * FROM unnest(${replies.map((r) => r.phone)}::text[], ${replies.map((r) => r.to?.replace(/^\+/, '') ?? null)}::text[], ${replies.map((r) => r.text)}::text[])
        WITH ORDINALITY AS i(phone, digits, text, ord)
    ), answered AS (
      SELECT i.ord, i.phone, i.text, m.id, m.seq, m.batch_id, m.organization_id
      FROM input i
      CROSS JOIN LATERAL ${latestMessageTo(sql.ref('i.phone'), sql.ref('i.digits'))} m
    ), stored AS (
      INSERT INTO sms_replies (organization_id, batch_id, message_id, message_seq, phone, text)
      SELECT organization_id, batch_id, id, seq, phone, text FROM answered ORDER BY ord
      RETURNING id, batch_id, organization_id
    ), callbacks AS (
      INSERT INTO sms_callbacks (organization_id, batch_id, payload)
      SELECT s.organization_id, s.batch_id, jsonb_build_object('batchId', s.batch_id, 'reference', b.reference, 'type', 'messages.reply', 'replyId', s.id)
      FROM stored s JOIN sms_batches b ON b.id = s.batch_id
      WHERE b.callback_url IS NOT NULL
      ORDER BY s.id
      RETURNING id
    )
    SELECT (SELECT count(*) FROM stored) AS stored, c.id AS callback_id
    FROM (SELECT 1) AS one LEFT JOIN callbacks c ON true`.execute(db);
  const stored = Number(result.rows[0]?.stored ?? 0);
  return { callbackIds: result.rows.flatMap((r) => (r.callback_id === null ? [] : [Number(r.callback_id)])), unmatched: replies.length - stored };
}
