// One statement stores a group of small batches (grouped-batches.ts): it looks up what the group
// must hold back (group-suppression.ts) and, when nothing is, stores every batch with its
// messages, chunk and audit entry (atomic: a statement is its own transaction). When something
// is held it stores nothing and answers the positions held: the group is priced again with them
// and stored by the same statement asking nothing. Opt-outs and restrictions are rare, so a
// group costs one round trip, not a lookup and then a write, each waiting its turn on a busy
// event loop. Every value goes as an array (unnest), so the text is the same for any group, and
// it is prepared once per connection (db/database.ts PREPARED): a group of one or two batches
// otherwise pays the parse and plan of five CTEs each time (bench/JOURNAL.md, issue 17).
import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../../db/compiled-once.js';
import type { Database, SmsBatch, SmsBatchTable } from '../../db/schema.js';
import type { auditRow } from '../core/audit.js';
import { integerArray, textArray, timestampArray } from '../core/pg-array.js';
import { DEFAULT_LANGUAGE } from '../messages/catalogue.js';
import type { BatchTotals, PricedMessage, batchRow } from './create-batch.js';
import { heldQuery, heldValues, type HeldProbe, type HeldValues } from './group-suppression.js';
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
 * Every other column of sms_batches: its cast and its values as the group's unnest array. A column
 * added to SmsBatchTable does not compile until it is written here (or named in NotWritten).
 */
const BATCH_ARRAYS: { readonly [C in Exclude<keyof SmsBatchTable, NotWritten>]: readonly [cast: string, values: (b: readonly BatchColumns[]) => string] } = {
  id: ['uuid[]', (b) => textArray(b.map((x) => x.id))],
  organization_id: ['uuid[]', (b) => textArray(b.map((x) => x.organization_id))],
  sender: ['text[]', (b) => textArray(b.map((x) => x.sender))],
  body: ['text[]', (b) => textArray(b.map((x) => x.body))],
  reference: ['text[]', (b) => textArray(b.map((x) => x.reference))],
  callback_url: ['text[]', (b) => textArray(b.map((x) => x.callback_url))],
  purpose: ['text[]', (b) => textArray(b.map((x) => x.purpose))],
  language: ['text[]', (b) => textArray(b.map((x) => x.language ?? DEFAULT_LANGUAGE))],
  idempotency_key: ['text[]', (b) => textArray(b.map((x) => x.idempotency_key))],
  send_at: ['timestamptz[]', (b) => timestampArray(b.map((x) => x.send_at))],
  chunk_size: ['int[]', (b) => integerArray(b.map((x) => x.chunk_size))],
  status: ['text[]', (b) => textArray(b.map((x) => x.status))],
  accepted: ['int[]', (b) => integerArray(b.map((x) => x.accepted))],
  rejected: ['int[]', (b) => integerArray(b.map((x) => x.rejected))],
  rejections: ['jsonb[]', (b) => textArray(b.map((x) => x.rejections))],
  encoding: ['text[]', (b) => textArray(b.map((x) => x.encoding))],
  segments_min: ['int[]', (b) => orNull(b.map((x) => x.segments_min))],
  segments_max: ['int[]', (b) => orNull(b.map((x) => x.segments_max))],
  segments_total: ['int[]', (b) => integerArray(b.map((x) => x.segments_total))],
  cost: ['numeric[]', (b) => textArray(b.map((x) => x.cost))],
  chunks: ['int[]', (b) => integerArray(b.map((x) => x.chunks))],
};
type BatchColumn = keyof typeof BATCH_ARRAYS;
const BATCH_COLUMNS = Object.keys(BATCH_ARRAYS) as BatchColumn[];

/**
 * What the statement answers of each stored batch: every column, by name. Not `*`: a column a
 * migration adds would change a prepared statement's result, which Postgres refuses ("cached plan
 * must not change result type") to a web process still running the old code.
 */
const RETURNED: { readonly [C in keyof SmsBatchTable]: null } = {
  ...(Object.fromEntries(BATCH_COLUMNS.map((c) => [c, null])) as { [C in BatchColumn]: null }),
  created_at: null,
  started_at: null,
  completed_at: null,
  cancelled_at: null,
  anonymised_at: null,
};
const RETURNED_COLUMNS = Object.keys(RETURNED);

/** The statement's values by name: the held lookup's, one array per column of each table written. */
type GroupValues = HeldValues & { readonly [C in BatchColumn as `batch_${C}`]: string } & {
  readonly [C in 'batch_id' | 'organization_id' | 'seq' | 'channel' | 'phone' | 'email' | 'fields' | 'text' | 'destination' | 'encoding' | 'segments' | 'cost' | 'status' as `message_${C}`]: string;
} & { readonly message_phone_hash: readonly (Buffer | null)[]; readonly message_email_hash: readonly (Buffer | null)[] } & { readonly chunk_batch_id: string; readonly chunk_chunk: string } & {
  readonly [C in 'actor_type' | 'actor_id' | 'organization_id' | 'action' | 'entity_type' | 'entity_id' | 'details' as `audit_${C}`]: string;
};

const nothingHeld = sql`NOT EXISTS (SELECT 1 FROM held)`;

/**
 * The group's statement, compiled once (db/compiled-once.ts): its text is the same for any
 * group. Building and compiling it per group (46 values, four CTEs) took a group of 16 batches
 * 290-340 µs with its arrays, 190-280 µs now (bench/JOURNAL.md, issue 17).
 */
const groupStatement = compiledOnce(
  (_db, v: GroupValues) => sql<SmsBatch & { held: number[] | null }>`
    WITH held AS (${heldQuery(v)}),
    batch AS (
      INSERT INTO sms_batches (${sql.join(BATCH_COLUMNS.map((c) => sql.ref(c)))})
      SELECT * FROM unnest(${sql.join(BATCH_COLUMNS.map((c) => sql`${v[`batch_${c}`]}::${sql.raw(BATCH_ARRAYS[c][0])}`))})
      WHERE ${nothingHeld}
      RETURNING ${sql.join(RETURNED_COLUMNS.map((c) => sql.ref(c)))}
    ),
    message AS (
      INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, cost, status, phone_hash, email_hash)
      SELECT * FROM unnest(
        ${v.message_batch_id}::uuid[], ${v.message_organization_id}::uuid[],
        ${v.message_seq}::int[], ${v.message_channel}::text[], ${v.message_phone}::text[],
        ${v.message_email}::text[], ${v.message_fields}::jsonb[],
        ${v.message_text}::text[], ${v.message_destination}::text[], ${v.message_encoding}::text[],
        ${v.message_segments}::int[], ${v.message_cost}::numeric[], ${v.message_status}::text[],
        ${v.message_phone_hash}::bytea[], ${v.message_email_hash}::bytea[])
      WHERE ${nothingHeld}
    ),
    chunk AS (
      INSERT INTO sms_chunks (batch_id, chunk)
      SELECT * FROM unnest(${v.chunk_batch_id}::uuid[], ${v.chunk_chunk}::int[])
      WHERE ${nothingHeld}
    ),
    audit AS (
      INSERT INTO audit_log (actor_type, actor_id, organization_id, action, entity_type, entity_id, details)
      SELECT * FROM unnest(
        ${v.audit_actor_type}::text[], ${v.audit_actor_id}::text[], ${v.audit_organization_id}::uuid[],
        ${v.audit_action}::text[], ${v.audit_entity_type}::text[], ${v.audit_entity_id}::text[],
        ${v.audit_details}::jsonb[])
      WHERE ${nothingHeld}
    )
    SELECT h.held, ${sql.join(RETURNED_COLUMNS.map((c) => sql.ref(`batch.${c}`)))} FROM (SELECT array_agg(i ORDER BY i) AS held FROM held) AS h LEFT JOIN batch ON h.held IS NULL`,
  { prepared: true },
);

const BATCH_KEYS = BATCH_COLUMNS.map((c) => [c, `batch_${c}` as const] as const);

/**
 * The statement's values for a group. One object literal, the batch columns added by key: a
 * spread of an object built by Object.fromEntries into a literal this size cost about 145 µs per
 * group in V8 (measured), more than building the statement did.
 */
function groupValues(rows: GroupRows, probe: HeldProbe): GroupValues {
  const { batches: b, messages, chunks, audits: a } = rows;
  const m = messages.map((r) => r.message);
  const held = heldValues(probe);
  const values: { -readonly [K in keyof GroupValues]?: GroupValues[K] } = {
    held_organizations: held.held_organizations,
    held_hashes: held.held_hashes,
    held_phone: held.held_phone,
    message_batch_id: textArray(messages.map((r) => r.batchId)),
    message_organization_id: textArray(messages.map((r) => r.organizationId)),
    message_seq: integerArray(m.map((x) => x.seq)),
    message_channel: textArray(m.map((x) => x.channel)),
    message_phone: textArray(m.map((x) => x.phone)),
    message_email: textArray(m.map((x) => x.email)),
    message_fields: textArray(m.map((x) => x.fieldsJson)),
    message_text: textArray(m.map((x) => x.text)),
    message_destination: textArray(m.map((x) => x.destination)),
    message_encoding: textArray(m.map((x) => x.encoding)),
    message_segments: integerArray(m.map((x) => x.segments)),
    message_cost: textArray(m.map((x) => fromUnits(x.costUnits))),
    message_status: textArray(m.map((x) => x.status)),
    message_phone_hash: m.map((x) => x.phoneHash),
    message_email_hash: m.map((x) => x.emailHash),
    chunk_batch_id: textArray(chunks.map((c) => c.batchId)),
    chunk_chunk: integerArray(chunks.map((c) => c.chunk)),
    audit_actor_type: textArray(a.map((x) => x.actor_type)),
    audit_actor_id: textArray(a.map((x) => x.actor_id)),
    audit_organization_id: textArray(a.map((x) => x.organization_id)),
    audit_action: textArray(a.map((x) => x.action)),
    audit_entity_type: textArray(a.map((x) => x.entity_type)),
    audit_entity_id: textArray(a.map((x) => x.entity_id)),
    audit_details: textArray(a.map((x) => x.details)),
  };
  for (const [column, key] of BATCH_KEYS) values[key] = BATCH_ARRAYS[column][1](b);
  return values as GroupValues;
}

export async function storeGroup(db: Kysely<Database>, rows: GroupRows, probe: HeldProbe): Promise<GroupStored> {
  const result = await db.executeQuery(groupStatement(db, groupValues(rows, probe)));
  const first = result.rows[0];
  if (first?.held) return { held: first.held, batches: [] };
  return { held: null, batches: result.rows.map(({ held: _held, ...batch }) => batch) };
}
