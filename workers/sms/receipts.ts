// Delivery receipts from any provider (SMPP deliver_sm, the HTTP gateway's hook). A receipt
// whose part is stored, and whose message has its outcome, is applied at once: the part's
// state, then the message's status (delivered when all its parts are; failed or expired when
// one is). The others (their part not stored yet: submitted by another worker a moment ago)
// wait in sms_receipts for the sms.apply-receipts job. Either way the receipt is durable when
// takeReceipts resolves, so the SMSC can be acknowledged.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { callbackJobs, queueCallbacks, type CallbackMessage } from './callbacks.js';
import { errorCodeFromParts, followsParts, partStateAggregates, statusFromParts } from './part-states.js';
import type { ProviderDeps } from './providers/provider.js';
import { idForms, receiptKey } from './smpp/message-ids.js';
import { partStateOf, type Receipt } from './smpp/receipt.js';
import { noteReceiptStatuses } from './metrics.js';
import { epochSecondsArray, integerArray, textArray } from '../core/pg-array.js';

const BUCKET_MS = 200;
/**
 * The parts a receipt can still settle, word for word the predicate of their smsc_id index
 * (migration 2026-12-07T01-00-00): only those are indexed by SMSC id. A part already delivered,
 * expired, undeliverable or rejected keeps that state; a copy of its receipt finds no part.
 */
const WAITING_PART = sql`p.state IN ('submitted', 'unknown')`;
/** Joins the readings of an id in one text parameter; SMSC ids never hold it. */
const FORM_SEPARATOR = '\u001f';

/**
 * Receipts waiting in sms_receipts are applied in small time buckets: the job of a bucket
 * runs just after the bucket ends, so it sees every receipt stored during it, and a later
 * receipt gets a later job.
 */
export function receiptJob(laterMs = 0) {
  const now = Date.now();
  const bucket = Math.floor((now + laterMs) / BUCKET_MS);
  return { name: 'sms.apply-receipts' as const, payload: { bucket }, options: { delay: (bucket + 1) * BUCKET_MS - now + 20 } };
}

export interface PendingReceipt {
  /** The caller's handle for it: its sms_receipts id, or its position in a list. */
  readonly key: number;
  /** Canonical (receiptKey). */
  readonly smscId: string;
  readonly stat: string;
  readonly networkError?: string | null | undefined;
  readonly doneAt?: Date | null | undefined;
}

/**
 * Applies the receipts that find their part and returns the keys of those (a receipt that
 * says nothing final yet, like ENROUTE, counts as applied). Only parts still waiting for a
 * receipt are looked at (WAITING_PART). The id exactly as stored wins (the newest part, should
 * an SMSC reuse ids); another reading of it (hex for decimal) only when it points at exactly
 * one waiting part, so a receipt never moves someone else's message. A message still
 * 'sending' (its outcome not written yet) leaves its receipt for later.
 */
export async function applyToMessages(db: Kysely<Database>, receipts: readonly PendingReceipt[]): Promise<{ applied: number[]; changed: Map<string, CallbackMessage[]> }> {
  const changed = new Map<string, CallbackMessage[]>();
  if (receipts.length === 0) return { applied: [], changed };
  const smscIds = textArray(receipts.map((r) => r.smscId));
  // The parts are looked up by the array of ids as well: the planner knows its size and takes
  // the index, where a join with the unnest alone hashed the whole parts table.
  const matched = await sql<{ key: number; message_id: number; part: number; stat: string; network_error: string | null; done_at: Date | null }>`
    WITH r AS (
      SELECT key, smsc_id, forms, stat, network_error, to_timestamp(done_at) AS done_at
      FROM unnest(${integerArray(receipts.map((r) => r.key))}::bigint[], ${smscIds}::text[],
                  ${textArray(receipts.map((r) => idForms(r.smscId).join(FORM_SEPARATOR)))}::text[], ${textArray(receipts.map((r) => r.stat))}::text[],
                  ${textArray(receipts.map((r) => r.networkError))}::text[], ${epochSecondsArray(receipts.map((r) => r.doneAt))}::float8[])
        AS r(key, smsc_id, forms, stat, network_error, done_at)
    ), exact AS (
      SELECT DISTINCT ON (r.key) r.key, p.message_id, p.part, r.stat, r.network_error, r.done_at
      FROM r JOIN sms_message_parts p ON p.smsc_id = r.smsc_id
      WHERE p.smsc_id = ANY(${smscIds}::text[]) AND ${WAITING_PART}
      ORDER BY r.key, p.message_id DESC
    ), other AS (
      SELECT r.key, min(p.message_id) AS message_id, min(p.part) AS part, r.stat, r.network_error, r.done_at
      FROM r JOIN sms_message_parts p ON p.smsc_id = ANY(string_to_array(r.forms, ${FORM_SEPARATOR}))
      WHERE ${WAITING_PART} AND NOT EXISTS (SELECT 1 FROM exact e WHERE e.key = r.key)
      GROUP BY r.key, r.stat, r.network_error, r.done_at HAVING count(*) = 1
    )
    SELECT x.* FROM (SELECT * FROM exact UNION ALL SELECT * FROM other) x
    JOIN sms_messages m ON m.id = x.message_id
    WHERE m.status <> 'sending'
    -- Locked, in one order: a receipt for another part of the same message, applied by another
    -- transaction, commits first, and the statement below then reads its part's state.
    ORDER BY m.id
    FOR UPDATE OF m`.execute(db);
  // One state per part, the last receipt's.
  const finals = new Map<string, { messageId: number; part: number; state: string; networkError: string | null; doneAt: Date | null }>();
  for (const row of matched.rows) {
    const state = partStateOf(row.stat);
    if (state) finals.set(`${row.message_id}:${row.part}`, { messageId: Number(row.message_id), part: row.part, state, networkError: row.network_error, doneAt: row.done_at });
  }
  if (finals.size > 0) {
    const states = [...finals.values()];
    const messageIds = integerArray([...new Set(states.map((f) => f.messageId))]);
    // One statement: the parts' new states, and each message's status from all its parts
    // (the statement sees the parts as they were, so the new states are joined in). The parts
    // are found by the array of message ids: its size is known to the planner, so it takes
    // the primary key rather than hash the whole table.
    const updated = await sql<{ id: number; batch_id: string; seq: number; status: string; error_code: string | null }>`
      WITH f AS (
        SELECT message_id, part, state, network_error, to_timestamp(done_at) AS done_at
        FROM unnest(${integerArray(states.map((f) => f.messageId))}::bigint[], ${integerArray(states.map((f) => f.part))}::smallint[], ${textArray(states.map((f) => f.state))}::text[],
                    ${textArray(states.map((f) => f.networkError))}::text[], ${epochSecondsArray(states.map((f) => f.doneAt))}::float8[])
          AS f(message_id, part, state, network_error, done_at)
      ), parts AS (
        SELECT q.message_id, q.part, coalesce(f.state, q.state) AS state, f.state AS new_state,
               CASE WHEN f.state IS NULL THEN q.network_error ELSE f.network_error END AS network_error, coalesce(f.done_at, q.done_at) AS done_at
        FROM sms_message_parts q LEFT JOIN f ON f.message_id = q.message_id AND f.part = q.part
        WHERE q.message_id = ANY(${messageIds}::bigint[])
      ), part_states AS (
        UPDATE sms_message_parts p SET state = parts.new_state, network_error = parts.network_error, done_at = parts.done_at
        FROM parts WHERE p.message_id = ANY(${messageIds}::bigint[]) AND parts.new_state IS NOT NULL AND p.message_id = parts.message_id AND p.part = parts.part
      ), agg AS (
        SELECT message_id, ${partStateAggregates} FROM parts GROUP BY message_id
      )
      UPDATE sms_messages m SET
        status = ${statusFromParts('agg', sql`m.status`)},
        delivered_at = CASE WHEN agg.delivered THEN coalesce(agg.done_at, now()) ELSE m.delivered_at END,
        error_code = ${errorCodeFromParts('agg', sql`m.error_code`)}
      FROM agg
      WHERE m.id = agg.message_id AND m.status IN ('sent', 'unknown') AND ${followsParts(sql`m.error_code`)}
      RETURNING m.id, m.batch_id, m.seq, m.status, m.error_code`.execute(db);
    for (const row of updated.rows) {
      const list = changed.get(row.batch_id) ?? [];
      list.push({ id: Number(row.id), index: row.seq, status: row.status, errorCode: row.error_code });
      changed.set(row.batch_id, list);
    }
  }
  return { applied: matched.rows.map((r) => Number(r.key)), changed };
}

/** Receipts that matched no part (or more than one) for 10 minutes are set aside; how many. */
export async function setAsideUnmatchedReceipts(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('sms_receipts')
    .set({ applied_at: sql`now()` })
    .where('applied_at', 'is', null)
    .where('received_at', '<', sql<Date>`now() - interval '10 minutes'`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A messages.status callback per batch that has a callbackUrl; the ids to enqueue after the commit. */
export async function queueReceiptCallbacks(db: Kysely<Database>, changed: ReadonlyMap<string, readonly CallbackMessage[]>): Promise<number[]> {
  if (changed.size === 0) return [];
  const batches = await db
    .selectFrom('sms_batches')
    .select(['id', 'organization_id', 'callback_url', 'reference'])
    .where('id', 'in', [...changed.keys()])
    .where('callback_url', 'is not', null)
    .execute();
  return queueCallbacks(db, batches.map((batch) => ({ batch, content: { type: 'messages.status', messages: changed.get(batch.id) ?? [] } })));
}

/** Stores the receipts durably: applied at once where their part is known, otherwise kept for the job. */
export async function takeReceipts(deps: ProviderDeps, receipts: readonly Receipt[], provider: 'smpp' | 'http'): Promise<void> {
  if (receipts.length === 0) return;
  const pending = receipts.map((r, key): PendingReceipt => ({ key, smscId: receiptKey(r.smscId), stat: r.stat, networkError: r.networkError, doneAt: r.doneAt }));
  const { waiting, callbacks, changed } = await deps.db.transaction().execute(async (trx) => {
    const { applied, changed } = await applyToMessages(trx, pending);
    const done = new Set(applied);
    const left = pending.filter((r) => !done.has(r.key));
    if (left.length > 0) await trx.insertInto('sms_receipts').values(left.map((r) => ({ smsc_id: r.smscId, stat: r.stat, network_error: r.networkError ?? null, done_at: r.doneAt ?? null }))).execute();
    return { waiting: left.length, callbacks: await queueReceiptCallbacks(trx, changed), changed };
  });
  noteReceiptStatuses(deps.metrics, provider, changed);
  await enqueueAfterCommit(deps, [...callbackJobs(callbacks), ...(waiting > 0 ? [receiptJob()] : [])]);
}
