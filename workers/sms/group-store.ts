// One statement stores a group of small batches (grouped-batches.ts): it looks up what the group
// must hold back (group-suppression.ts) and, when nothing is, stores every batch with its
// messages, chunk and audit entry (atomic: a statement is its own transaction). When something
// is held it stores nothing and answers the positions held: the group is priced again with them
// and stored by the same statement asking nothing. Opt-outs and restrictions are rare, so a
// group costs one round trip, not a lookup and then a write, each waiting its turn on a busy
// event loop. Every value goes as an array (unnest), so the text is the same for any group. Not
// prepared (db/database.ts PREPARED): at 500 batches a second the prepared statement answered
// later, not sooner, in three of three runs beside the unprepared one (bench/JOURNAL.md).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, SmsBatch, SmsBatchTable } from '../../db/schema.js';
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

/** Columns of sms_batches a group leaves to their default: set by Postgres or by a later step of the batch. */
type NotWritten = 'created_at' | 'started_at' | 'completed_at' | 'cancelled_at' | 'anonymised_at';

/**
 * Every other column of sms_batches, as the array parameter of the group's unnest, cast. A column
 * added to SmsBatchTable does not compile until it is written here (or named in NotWritten).
 */
const BATCH_ARRAYS: { readonly [C in Exclude<keyof SmsBatchTable, NotWritten>]: (b: readonly BatchColumns[]) => RawBuilder<unknown> } = {
  id: (b) => sql`${textArray(b.map((x) => x.id))}::uuid[]`,
  organization_id: (b) => sql`${textArray(b.map((x) => x.organization_id))}::uuid[]`,
  sender: (b) => sql`${textArray(b.map((x) => x.sender))}::text[]`,
  body: (b) => sql`${textArray(b.map((x) => x.body))}::text[]`,
  reference: (b) => sql`${textArray(b.map((x) => x.reference))}::text[]`,
  callback_url: (b) => sql`${textArray(b.map((x) => x.callback_url))}::text[]`,
  purpose: (b) => sql`${textArray(b.map((x) => x.purpose))}::text[]`,
  language: (b) => sql`${textArray(b.map((x) => x.language ?? DEFAULT_LANGUAGE))}::text[]`,
  idempotency_key: (b) => sql`${textArray(b.map((x) => x.idempotency_key))}::text[]`,
  send_at: (b) => sql`${timestampArray(b.map((x) => x.send_at))}::timestamptz[]`,
  chunk_size: (b) => sql`${integerArray(b.map((x) => x.chunk_size))}::int[]`,
  status: (b) => sql`${textArray(b.map((x) => x.status))}::text[]`,
  accepted: (b) => sql`${integerArray(b.map((x) => x.accepted))}::int[]`,
  rejected: (b) => sql`${integerArray(b.map((x) => x.rejected))}::int[]`,
  rejections: (b) => sql`${textArray(b.map((x) => x.rejections))}::jsonb[]`,
  encoding: (b) => sql`${textArray(b.map((x) => x.encoding))}::text[]`,
  segments_min: (b) => sql`${orNull(b.map((x) => x.segments_min))}::int[]`,
  segments_max: (b) => sql`${orNull(b.map((x) => x.segments_max))}::int[]`,
  segments_total: (b) => sql`${integerArray(b.map((x) => x.segments_total))}::int[]`,
  cost: (b) => sql`${textArray(b.map((x) => x.cost))}::numeric[]`,
  chunks: (b) => sql`${integerArray(b.map((x) => x.chunks))}::int[]`,
};
const BATCH_COLUMNS = Object.keys(BATCH_ARRAYS) as (keyof typeof BATCH_ARRAYS)[];
const batchColumnList = sql.join(BATCH_COLUMNS.map((c) => sql.ref(c)));

export async function storeGroup(db: Kysely<Database>, rows: GroupRows, probe: HeldProbe): Promise<GroupStored> {
  const { batches: b, messages, chunks, audits: a } = rows;
  const m = messages.map((r) => r.message);
  const nothingHeld = sql`NOT EXISTS (SELECT 1 FROM held)`;
  const result = await sql<SmsBatch & { held: number[] | null }>`
    WITH held AS (${heldQuery(probe)}),
    batch AS (
      INSERT INTO sms_batches (${batchColumnList})
      SELECT * FROM unnest(${sql.join(BATCH_COLUMNS.map((c) => BATCH_ARRAYS[c](b)))})
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
