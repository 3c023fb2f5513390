// One statement stores a group of small batches (grouped-batches.ts): it looks up what the group
// must hold back (group-suppression.ts) and, when nothing is, stores every batch with its
// messages, chunk and audit entry (atomic: a statement is its own transaction). When something
// is held it stores nothing and answers the positions held: the group is priced again with them
// and stored by the same statement asking nothing. Opt-outs and restrictions are rare, so a
// group costs one round trip, not a lookup and then a write, each waiting its turn on a busy
// event loop. Every value goes as an array (unnest), so the text is the same for any group. Not
// prepared (db/database.ts PREPARED): at 500 batches a second the prepared statement answered
// later, not sooner, in three of three runs beside the unprepared one (bench/JOURNAL.md).
import { sql, type Kysely } from 'kysely';
import type { Database, SmsBatch } from '../../db/schema.js';
import type { auditRow } from '../core/audit.js';
import { integerArray, textArray, timestampArray } from '../core/pg-array.js';
import { DEFAULT_LANGUAGE } from '../messages/catalogue.js';
import type { BatchTotals, PricedMessage, batchRow } from './create-batch.js';
import { heldQuery, type HeldProbe } from './group-suppression.js';
import { fromUnits } from './pricing.js';

export type BatchColumns = ReturnType<typeof batchRow> & ReturnType<BatchTotals['columns']> & { readonly id: string; readonly status: 'scheduled' | 'queued' };

export interface GroupRows {
  readonly batches: readonly BatchColumns[];
  readonly messages: readonly { readonly batchId: string; readonly organizationId: string; readonly message: PricedMessage }[];
  readonly chunks: readonly { readonly batchId: string; readonly chunk: number }[];
  readonly audits: readonly ReturnType<typeof auditRow>[];
}

/** The group stored (its batches as stored, any order), or nothing stored and the 1-based positions in the probe that are held. */
export type GroupStored = { readonly held: null; readonly batches: SmsBatch[] } | { readonly held: readonly number[]; readonly batches: [] };

const orNull = (values: readonly (number | null)[]) => textArray(values.map((v) => (v === null ? null : String(v))));

export async function storeGroup(db: Kysely<Database>, rows: GroupRows, probe: HeldProbe): Promise<GroupStored> {
  const { batches: b, messages, chunks, audits: a } = rows;
  const m = messages.map((r) => r.message);
  const nothingHeld = sql`NOT EXISTS (SELECT 1 FROM held)`;
  const result = await sql<SmsBatch & { held: number[] | null }>`
    WITH held AS (${heldQuery(probe)}),
    batch AS (
      INSERT INTO sms_batches (id, organization_id, sender, body, reference, callback_url, purpose, language, idempotency_key, send_at, chunk_size,
        status, accepted, rejected, rejections, encoding, segments_min, segments_max, segments_total, cost, chunks)
      SELECT * FROM unnest(
        ${textArray(b.map((x) => x.id))}::uuid[], ${textArray(b.map((x) => x.organization_id))}::uuid[], ${textArray(b.map((x) => x.sender))}::text[],
        ${textArray(b.map((x) => x.body))}::text[], ${textArray(b.map((x) => x.reference))}::text[], ${textArray(b.map((x) => x.callback_url))}::text[],
        ${textArray(b.map((x) => x.purpose))}::text[], ${textArray(b.map((x) => x.language ?? DEFAULT_LANGUAGE))}::text[], ${textArray(b.map((x) => x.idempotency_key))}::text[],
        ${timestampArray(b.map((x) => x.send_at))}::timestamptz[], ${integerArray(b.map((x) => x.chunk_size))}::int[],
        ${textArray(b.map((x) => x.status))}::text[], ${integerArray(b.map((x) => x.accepted))}::int[], ${integerArray(b.map((x) => x.rejected))}::int[],
        ${textArray(b.map((x) => x.rejections))}::jsonb[], ${textArray(b.map((x) => x.encoding))}::text[], ${orNull(b.map((x) => x.segments_min))}::int[],
        ${orNull(b.map((x) => x.segments_max))}::int[], ${integerArray(b.map((x) => x.segments_total))}::int[], ${textArray(b.map((x) => x.cost))}::numeric[],
        ${integerArray(b.map((x) => x.chunks))}::int[])
      WHERE ${nothingHeld}
      RETURNING *
    ),
    message AS (
      INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, cost, status)
      SELECT * FROM unnest(
        ${textArray(messages.map((r) => r.batchId))}::uuid[], ${textArray(messages.map((r) => r.organizationId))}::uuid[],
        ${integerArray(m.map((x) => x.seq))}::int[], ${textArray(m.map((x) => x.channel))}::text[], ${textArray(m.map((x) => x.phone))}::text[],
        ${textArray(m.map((x) => x.email))}::text[], ${textArray(m.map((x) => x.fieldsJson))}::jsonb[],
        ${textArray(m.map((x) => x.text))}::text[], ${textArray(m.map((x) => x.destination))}::text[], ${textArray(m.map((x) => x.encoding))}::text[],
        ${integerArray(m.map((x) => x.segments))}::int[], ${textArray(m.map((x) => fromUnits(x.costUnits)))}::numeric[], ${textArray(m.map((x) => x.status))}::text[])
      WHERE ${nothingHeld}
    ),
    chunk AS (
      INSERT INTO sms_chunks (batch_id, chunk)
      SELECT * FROM unnest(${textArray(chunks.map((c) => c.batchId))}::uuid[], ${integerArray(chunks.map((c) => c.chunk))}::int[])
      WHERE ${nothingHeld}
    ),
    audit AS (
      INSERT INTO audit_log (actor_type, actor_id, organization_id, action, entity_type, entity_id, details)
      SELECT * FROM unnest(
        ${textArray(a.map((x) => x.actor_type))}::text[], ${textArray(a.map((x) => x.actor_id))}::text[], ${textArray(a.map((x) => x.organization_id))}::uuid[],
        ${textArray(a.map((x) => x.action))}::text[], ${textArray(a.map((x) => x.entity_type))}::text[], ${textArray(a.map((x) => x.entity_id))}::text[],
        ${textArray(a.map((x) => x.details))}::jsonb[])
      WHERE ${nothingHeld}
    )
    SELECT h.held, batch.* FROM (SELECT array_agg(i ORDER BY i) AS held FROM held) AS h LEFT JOIN batch ON h.held IS NULL`.execute(db);
  const first = result.rows[0];
  if (first?.held) return { held: first.held, batches: [] };
  return { held: null, batches: result.rows.map(({ held: _held, ...batch }) => batch) };
}
