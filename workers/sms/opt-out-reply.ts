// Replies that are a stop word (stop-words.ts) put their sender on opt-out lists: plain STOP on
// that of every organisation that texted the number, STOP plus a keyword on that of the
// keyword's organisation. Each is confirmed (opt-out-confirmation.ts) by the keyword's
// organisation, else by the one whose message it answers, if it is among those opted out of.
// A whole post in a fixed number of statements, whatever its number of stop words.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import type { PhoneResult } from '../phone/e164.js';
import { textArray } from '../core/pg-array.js';
import { queueConfirmations } from './opt-out-confirmation.js';
import { maskPhone, phoneHash } from './opt-outs.js';
import { latestMessageTo } from './recipient-messages.js';
import type { StopReply } from './stop-words.js';

export interface StopFrom {
  readonly phone: Extract<PhoneResult, { ok: true }>;
  /** The number it was sent to, if known. */
  readonly to: string | undefined;
  readonly stop: StopReply;
}

async function keywordOwners(db: Kysely<Database>, stops: readonly StopFrom[]): Promise<Map<string, string>> {
  const keywords = [...new Set(stops.flatMap((s) => (s.stop.kind === 'keyword' ? [s.stop.keyword] : [])))];
  if (keywords.length === 0) return new Map();
  const rows = await db.selectFrom('sms_keywords').select(['keyword', 'organization_id']).where('keyword', 'in', keywords).execute();
  return new Map(rows.map((r) => [r.keyword, r.organization_id]));
}

/** Opts out and queues the confirmations in the caller's transaction; returns the jobs to enqueue after the commit. */
export async function optOutByReplies(db: Kysely<Database>, suppressionKey: string, stops: readonly StopFrom[]): Promise<JobRequest[]> {
  if (stops.length === 0) return [];
  const owners = await keywordOwners(db, stops);
  const input = stops.map((s) => ({
    ...s,
    hash: phoneHash(suppressionKey, s.phone.e164),
    owner: s.stop.kind === 'keyword' ? owners.get(s.stop.keyword) : undefined,
  }));
  const opted = await sql<{ organization_id: string; phone_hash: Buffer }>`
    WITH i AS (
      SELECT * FROM unnest(${textArray(input.map((s) => s.phone.e164))}::text[], ${input.map((s) => s.hash)}::bytea[],
                           ${textArray(input.map((s) => maskPhone(s.phone.e164, s.phone.countryCallingCode)))}::text[], ${textArray(input.map((s) => s.owner))}::uuid[])
        AS i(phone, hash, masked, owner)
    ), wanted AS (
      SELECT DISTINCT ON (o.organization_id, i.hash) o.organization_id, i.hash, i.masked
      FROM i CROSS JOIN LATERAL (
        SELECT i.owner AS organization_id WHERE i.owner IS NOT NULL
        UNION SELECT DISTINCT m.organization_id FROM sms_messages m WHERE i.owner IS NULL AND m.phone = i.phone
      ) o
      WHERE o.organization_id IN (SELECT id FROM organizations)
      ORDER BY o.organization_id, i.hash
    )
    INSERT INTO sms_opt_outs (organization_id, phone_hash, masked, source)
    SELECT organization_id, hash, masked, 'reply' FROM wanted
    ON CONFLICT (organization_id, phone_hash) DO UPDATE SET source = 'reply'
    RETURNING organization_id, phone_hash`.execute(db);
  const optedOut = new Set(opted.rows.map((r) => `${r.organization_id}|${r.phone_hash.toString('hex')}`));
  // The organisation that confirms each: the keyword's, else that of the message it answers.
  const answered = await sql<{ organization_id: string | null }>`
    SELECT l.organization_id
    FROM unnest(${textArray(input.map((s) => s.phone.e164))}::text[], ${textArray(input.map((s) => s.to?.replace(/^\+/, '')))}::text[]) WITH ORDINALITY AS i(phone, digits, ord)
    LEFT JOIN LATERAL ${latestMessageTo(sql.ref('i.phone'), sql.ref('i.digits'))} l ON true
    ORDER BY i.ord`.execute(db);
  const confirming = input.flatMap((s, i) => {
    const organizationId = s.owner ?? answered.rows[i]?.organization_id ?? undefined;
    return organizationId && optedOut.has(`${organizationId}|${s.hash.toString('hex')}`) ? [{ organizationId, phone: s.phone, hash: s.hash }] : [];
  });
  return queueConfirmations(db, confirming);
}
