// An opt-out by reply is confirmed with one free SMS, at most once a day per organisation and
// number (a STOP to a second organisation the same day is confirmed by that one too), in the
// organisation's words (PUT /v1/sms/settings) or the Dutch default, from the sender of the
// organisation's last message to that number. It is a batch of one (purpose
// 'opt-out-confirmation', cost 0) sent by the usual chunk job, so it goes the provider's way
// with its at-most-once rules, receipts and retention; the job carries ids only. Those of a
// whole post in a fixed number of statements.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import type { PhoneResult } from '../phone/e164.js';
import { textArray } from '../core/pg-array.js';
import { latestMessageTo } from './recipient-messages.js';
import { queueSingleSmses } from './single-sms.js';

export const DEFAULT_CONFIRMATION = 'U bent afgemeld en ontvangt geen sms-berichten meer van deze afzender.';

export interface Confirmation {
  readonly organizationId: string;
  readonly phone: Extract<PhoneResult, { ok: true }>;
  /** phoneHash of the number. */
  readonly hash: Buffer;
}

/** One organisation's confirmation to one number: the key of the once-a-day limit. */
const keyOf = (organizationId: string, hash: Buffer) => `${organizationId}|${hash.toString('hex')}`;

/** Claims today's confirmations: the keys (keyOf) of those this organisation had not sent this number in the last 24 hours. */
async function claimConfirmations(db: Kysely<Database>, confirmations: readonly Confirmation[]): Promise<Set<string>> {
  // In one order (the key's: a uuid's text and a hash's hex sort as Postgres sorts them), so two
  // posts claiming the same numbers never wait on each other.
  const sorted = confirmations.map((c) => ({ key: keyOf(c.organizationId, c.hash), c })).sort((x, y) => (x.key < y.key ? -1 : 1)).map(({ c }) => c);
  const claimed = await sql<{ organization_id: string; phone_hash: Buffer }>`
    INSERT INTO sms_opt_out_confirmations (organization_id, phone_hash, sent_at)
    SELECT o, h, now() FROM unnest(${sorted.map((c) => c.organizationId)}::uuid[], ${sorted.map((c) => c.hash)}::bytea[]) AS i(o, h)
    ON CONFLICT (organization_id, phone_hash) DO UPDATE SET sent_at = now()
    WHERE sms_opt_out_confirmations.sent_at <= now() - interval '1 day'
    RETURNING organization_id, phone_hash`.execute(db);
  return new Set(claimed.rows.map((r) => keyOf(r.organization_id, r.phone_hash)));
}

/**
 * Stores the confirmations in the caller's transaction (the first of an organisation to a
 * number only; none without a sender known, nor where that organisation confirmed to the
 * number today); returns the jobs to enqueue after the commit.
 */
export async function queueConfirmations(db: Kysely<Database>, confirmations: readonly Confirmation[]): Promise<JobRequest[]> {
  if (confirmations.length === 0) return [];
  const senders = await sql<{ sender: string | null; text: string | null }>`
    SELECT l.sender, o.sms_opt_out_confirmation AS text
    FROM unnest(${textArray(confirmations.map((c) => c.phone.e164))}::text[], ${confirmations.map((c) => c.organizationId)}::uuid[]) WITH ORDINALITY AS i(phone, organization_id, ord)
    LEFT JOIN organizations o ON o.id = i.organization_id
    LEFT JOIN LATERAL ${latestMessageTo(sql.ref('i.phone'), sql`NULL::text`, sql.ref('i.organization_id'))} l ON true
    ORDER BY i.ord`.execute(db);
  const first = new Map<string, { confirmation: Confirmation; sender: string; text: string }>();
  confirmations.forEach((confirmation, i) => {
    const row = senders.rows[i];
    const key = keyOf(confirmation.organizationId, confirmation.hash);
    if (row?.sender && !first.has(key)) first.set(key, { confirmation, sender: row.sender, text: row.text ?? DEFAULT_CONFIRMATION });
  });
  if (first.size === 0) return [];
  const claimed = await claimConfirmations(db, [...first.values()].map((f) => f.confirmation));
  const sending = [...first.entries()].filter(([key]) => claimed.has(key)).map(([, f]) => f);
  return queueSingleSmses(db, sending.map(({ confirmation, sender, text }) => ({ organizationId: confirmation.organizationId, purpose: 'opt-out-confirmation', sender, text, phone: confirmation.phone, phoneHash: confirmation.hash })));
}
