// Queries of the SMS send path. State moves only by conditional updates: a window is claimed
// queued → sending (and recorded in sms_claims), and its results are written back with unnest
// arrays in one statement (array literals built by pg-array.ts).
import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../../db/compiled-once.js';
import type { Db } from '../../db/database.js';
import { epochSecondsArray, integerArray, textArray } from '../core/pg-array.js';
import type { Database, SmsBatch, SmsMessageStatus } from '../../db/schema.js';
import { errorCodeFromParts, followsParts, partStateAggregates, statusFromParts } from './part-states.js';
import { receiptKey } from './smpp/message-ids.js';
import type { SubmittedPart } from './providers/provider.js';

/** A message left in 'sending' this long may or may not have reached the SMSC: it becomes 'unknown'. */
export const SMS_SENDING_TIMEOUT = '10 minutes';

export interface ClaimedMessage {
  readonly id: number;
  readonly channel: 'sms' | 'email';
  readonly phone: string | null;
  readonly email: string | null;
  readonly text: string;
  readonly encoding: 'gsm7' | 'ucs2';
  readonly segments: number;
  /** Found by the claim, from the hashes stored at the intake: an opt-out, a restriction or a suppression holds it back. */
  readonly held: boolean;
  /** Its number or its address has no stored hash (an older message, or nothing was checked at its intake): the claim could not look it up. */
  readonly unhashed: boolean;
}

/** What the platform holds that a window's messages are looked up in, as the claim found it. */
export interface WindowChecks {
  /** privacy_restrictions has any row. */
  readonly restrictions: boolean;
  /** The batch's organisation has any opt-out, and the batch is neither an opt-out confirmation nor the house organisation's (a privacy request's code). */
  readonly optOuts: boolean;
}

export interface ClaimedWindow {
  /** The sms_claims row: deleted with the window's outcome, or swept to 'unknown' after the timeout. */
  readonly claimId: number;
  readonly messages: ClaimedMessage[];
  /** The highest seq claimed: the next claim of the chunk starts after it. */
  readonly lastSeq: number;
  /** Only with one of these can an unhashed message be held (send-chunk.ts hashes those then), besides a marketing e-mail. */
  readonly checks: WindowChecks;
}

/** Up to `size` queued messages of a batch with from <= seq < to, in seq order. */
export interface ClaimRequest {
  readonly batchId: string;
  readonly from: number;
  readonly to: number;
  readonly size: number;
}

/**
 * Claims up to `size` queued messages of a chunk from seq `from` on (queued → sending) and
 * records the window in sms_claims, in one statement. Rows another transaction holds (a
 * concurrent claimer, a cancel) are skipped, never waited for. Nothing of a cancelled batch
 * is claimed, even a message put back to 'queued' by a window recorded as the cancel committed.
 *
 * Each claimed message is looked up by the keyed hashes stored with it at the intake (`held`):
 * in privacy_restrictions (number or address, art. 18), in its organisation's sms_opt_outs (the
 * number: a STOP or the member's opt-out since the intake; not for an opt-out confirmation, nor
 * for the platform's own texts, a privacy request's code: those never had an opt-out check),
 * and, an e-mail of a marketing batch, in its organisation's newsletter_suppressions. Each
 * lookup runs only when its table has anything for it (`checks`, read once a claim): none runs
 * a probe per message otherwise. Each is an index probe per message (a prepared statement).
 */
export async function claimWindow(db: Db, r: ClaimRequest): Promise<ClaimedWindow> {
  const { rows } = await db.executeQuery(claimStatement(db, r));
  // The window's own values come on its last row only (null on the others: nothing to decode).
  const last = rows.at(-1);
  return {
    claimId: Number(last?.claim_id ?? 0),
    // Written out field by field: a rest and a spread per row took V8's slow path.
    messages: rows.map((m) => ({
      id: Number(m.id),
      channel: m.channel,
      phone: m.phone,
      email: m.email,
      text: m.text,
      encoding: m.encoding,
      segments: m.segments,
      held: m.held,
      unhashed: m.unhashed,
    })),
    lastSeq: last?.last_seq ?? r.from - 1,
    checks: { restrictions: last?.restrictions ?? false, optOuts: last?.opt_outs ?? false },
  };
}

/** The claim's row: the window's values (claim, last seq, checks) only on the last row, in seq order (the claim's last_seq is its highest). */
type ClaimRow = Omit<ClaimedMessage, 'held' | 'unhashed'> & {
  held: boolean;
  unhashed: boolean;
  claim_id: string | null;
  last_seq: number | null;
  restrictions: boolean | null;
  opt_outs: boolean | null;
};

/**
 * claimWindow's statement, compiled once (db/compiled-once.ts): building and compiling it took
 * Kysely some tens of µs a window.
 */
const claimStatement = compiledOnce(
  (_db, r: ClaimRequest) => sql<ClaimRow>`
    WITH picked AS (
      SELECT id FROM sms_messages
      WHERE batch_id = ${r.batchId} AND seq >= ${r.from} AND seq < ${r.to} AND status = 'queued'
        AND NOT EXISTS (SELECT 1 FROM sms_batches WHERE id = ${r.batchId} AND status = 'cancelled')
      ORDER BY seq LIMIT ${r.size} FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE sms_messages m SET status = 'sending'
      FROM picked WHERE m.id = picked.id AND m.status = 'queued'
      RETURNING m.id, m.seq, m.channel, m.phone, m.email, m.text, m.encoding, m.segments, m.phone_hash, m.email_hash
    ), claim AS (
      INSERT INTO sms_claims (batch_id, first_seq, last_seq)
      SELECT ${r.batchId}, min(seq), max(seq) FROM claimed HAVING count(*) > 0
      RETURNING id, last_seq
    ), checks AS MATERIALIZED (
      SELECT b.organization_id, b.purpose = 'marketing' AS marketing,
             EXISTS (SELECT 1 FROM privacy_restrictions) AS restrictions,
             b.purpose <> 'opt-out-confirmation' AND NOT org.house AND EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.organization_id = b.organization_id) AS opt_outs
      FROM sms_batches b JOIN organizations org ON org.id = b.organization_id WHERE b.id = ${r.batchId}
    )
    SELECT c.id, c.channel, c.phone, c.email, c.text, c.encoding, c.segments,
           (k.restrictions AND EXISTS (SELECT 1 FROM privacy_restrictions p WHERE p.identifier_hash IN (c.phone_hash, c.email_hash)))
             OR (k.opt_outs AND EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.organization_id = k.organization_id AND o.phone_hash = c.phone_hash))
             OR (k.marketing AND c.channel = 'email'
                 AND EXISTS (SELECT 1 FROM newsletter_suppressions s WHERE s.organization_id = k.organization_id AND s.address_hash = c.email_hash)) AS held,
           (c.phone IS NOT NULL AND c.phone_hash IS NULL) OR (c.email IS NOT NULL AND c.email_hash IS NULL) AS unhashed,
           CASE WHEN c.seq = l.last_seq THEN l.id END AS claim_id, CASE WHEN c.seq = l.last_seq THEN c.seq END AS last_seq,
           CASE WHEN c.seq = l.last_seq THEN k.restrictions END AS restrictions, CASE WHEN c.seq = l.last_seq THEN k.opt_outs END AS opt_outs
    FROM claimed c CROSS JOIN checks k CROSS JOIN claim l ORDER BY c.seq`,
  { prepared: true, perCallWithPlugins: true },
);

export interface MessageOutcome {
  readonly id: number;
  /** queued: the provider did not take it (throttled, not connected): it goes again. suppressed: held back as it was about to go. */
  readonly status: Extract<SmsMessageStatus, 'sent' | 'failed' | 'unknown' | 'queued' | 'suppressed'>;
  readonly providerMessageId: string | null;
  readonly errorCode: string | null;
  /** The provider's id of each part it took, for matching delivery receipts. */
  readonly parts: readonly SubmittedPart[];
}

/**
 * The columns of writeOutcomes' arrays, filled in one pass: an object per part and a map per
 * column made about twice the garbage for the same arrays.
 */
function outcomeColumns(outcomes: readonly MessageOutcome[]) {
  const ids: number[] = [];
  const statuses: string[] = [];
  const providerMessageIds: (string | null)[] = [];
  const errorCodes: (string | null)[] = [];
  const partMessageIds: number[] = [];
  const partNumbers: number[] = [];
  const smscIds: string[] = [];
  const states: string[] = [];
  const networkErrors: (string | undefined)[] = [];
  const doneAts: (Date | undefined)[] = [];
  for (const o of outcomes) {
    ids.push(o.id);
    statuses.push(o.status);
    providerMessageIds.push(o.providerMessageId);
    errorCodes.push(o.errorCode);
    for (const p of o.parts) {
      partMessageIds.push(o.id);
      partNumbers.push(p.part);
      smscIds.push(receiptKey(p.smscId));
      states.push(p.state ?? 'submitted');
      networkErrors.push(p.networkError);
      doneAts.push(p.doneAt);
    }
  }
  return { ids, statuses, providerMessageIds, errorCodes, partMessageIds, partNumbers, smscIds, states, networkErrors, doneAts };
}

/**
 * A window's outcomes, the provider's ids of its parts and the end of its claim, in one
 * statement: the window is either still claimed or fully recorded. A message whose parts all
 * have their final state already (their receipts came with the window) takes its status from
 * them (only sent and unknown messages have parts).
 */
export async function writeOutcomes(db: Db, claimId: number, outcomes: readonly MessageOutcome[]): Promise<void> {
  const c = outcomeColumns(outcomes);
  await db.executeQuery(
    outcomeStatement(db, {
      claimId,
      ids: integerArray(c.ids),
      statuses: textArray(c.statuses),
      providerMessageIds: textArray(c.providerMessageIds),
      errorCodes: textArray(c.errorCodes),
      partMessageIds: integerArray(c.partMessageIds),
      partNumbers: integerArray(c.partNumbers),
      smscIds: textArray(c.smscIds),
      states: textArray(c.states),
      networkErrors: textArray(c.networkErrors),
      doneAts: epochSecondsArray(c.doneAts),
    }),
  );
}

/** writeOutcomes' values: the claim, and each column as an array literal (pg-array.ts). */
type OutcomeValues = { readonly claimId: number } & {
  readonly [K in keyof ReturnType<typeof outcomeColumns>]: string;
};

/** writeOutcomes' statement, compiled once (db/compiled-once.ts): its text is the same for any window. */
const outcomeStatement = compiledOnce(
  (_db, v: OutcomeValues) => sql`
    WITH u AS (
      SELECT * FROM unnest(${v.ids}::bigint[], ${v.statuses}::text[],
                           ${v.providerMessageIds}::text[], ${v.errorCodes}::text[])
        AS u(id, status, provider_message_id, error_code)
    ), p AS (
      SELECT message_id, part, smsc_id, state, network_error, to_timestamp(done_at) AS done_at
      FROM unnest(${v.partMessageIds}::bigint[], ${v.partNumbers}::smallint[],
                  ${v.smscIds}::text[], ${v.states}::text[],
                  ${v.networkErrors}::text[], ${v.doneAts}::float8[])
        AS p(message_id, part, smsc_id, state, network_error, done_at)
    ), agg AS (
      SELECT message_id, ${partStateAggregates}, bool_and(state <> 'submitted') AS final FROM p GROUP BY message_id
    ), ua AS MATERIALIZED (
      -- Joined before the messages are: joined after, the planner counted on one message
      -- left by the status filter and looped over the aggregate once per message (10 ms a window).
      SELECT u.*, agg.final, agg.delivered, agg.expired, agg.failed, agg.unknown, agg.done_at FROM u LEFT JOIN agg ON agg.message_id = u.id
    ), cancelled AS (
      -- A message the provider did not take goes back to 'queued', unless its batch was cancelled meanwhile.
      SELECT EXISTS (SELECT 1 FROM sms_claims c JOIN sms_batches b ON b.id = c.batch_id WHERE c.id = ${v.claimId} AND b.status = 'cancelled') AS yes
    ), outcome AS (
      UPDATE sms_messages m
      SET status = CASE WHEN ua.final AND ${followsParts(sql`ua.error_code`)} THEN ${statusFromParts('ua', sql`ua.status`)}
                        WHEN ua.status = 'queued' AND (SELECT yes FROM cancelled) THEN 'cancelled' ELSE ua.status END,
          error_code = CASE WHEN ua.final AND ${followsParts(sql`ua.error_code`)} THEN ${errorCodeFromParts('ua', sql`ua.error_code`)} ELSE ua.error_code END,
          provider_message_id = ua.provider_message_id,
          sent_at = CASE WHEN ua.status = 'sent' THEN now() ELSE m.sent_at END,
          delivered_at = CASE WHEN ua.final AND ua.delivered AND ${followsParts(sql`ua.error_code`)} THEN coalesce(ua.done_at, now()) ELSE m.delivered_at END
      FROM ua
      WHERE m.id = ua.id AND m.status = 'sending'
    ), parts AS (
      -- A message has no parts yet: a resend by ops removes the old ones (resend-unknown.ts).
      INSERT INTO sms_message_parts (message_id, part, smsc_id, state, network_error, done_at) SELECT * FROM p
    )
    DELETE FROM sms_claims WHERE id = ${v.claimId}`,
  { prepared: true, perCallWithPlugins: true },
);

/** The messages of a chunk of a cancelled batch still 'queued' (see claimWindow) become 'cancelled'. */
export async function cancelQueued(db: Db, batchId: string, range: { from: number; to: number }): Promise<number> {
  const result = await db
    .updateTable('sms_messages')
    .set({ status: 'cancelled' })
    .where('batch_id', '=', batchId)
    .where('seq', '>=', range.from)
    .where('seq', '<', range.to)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findBatch(db: Kysely<Database>, organizationId: string | null, id: string): Promise<SmsBatch | undefined> {
  let query = db.selectFrom('sms_batches').selectAll().where('id', '=', id);
  if (organizationId !== null) query = query.where('organization_id', '=', organizationId);
  return query.executeTakeFirst();
}

/**
 * Every column of sms_batches, named: a prepared `*` fails once a migration adds a column
 * ("cached plan must not change result type"). A column added to SmsBatchTable and not here
 * fails findBatchToSend's return type.
 */
const BATCH_COLUMNS = [
  'id', 'organization_id', 'status', 'purpose', 'sender', 'body', 'reference', 'callback_url', 'language', 'idempotency_key', 'send_at',
  'chunk_size', 'chunks', 'accepted', 'rejected', 'rejections', 'encoding', 'segments_min', 'segments_max', 'segments_total', 'cost',
  'created_at', 'started_at', 'completed_at', 'cancelled_at', 'anonymised_at',
] as const satisfies readonly (keyof SmsBatch)[];

/** findBatch for a send: with whether its organisation has ended since (a batch taken in as it ended: send-chunk.ts cancels it). */
export async function findBatchToSend(db: Db, id: string): Promise<(SmsBatch & { organization_ended: boolean }) | undefined> {
  const { rows } = await db.executeQuery(batchToSendStatement(db, { id }));
  return rows[0];
}

/** findBatchToSend's statement: once a chunk, prepared (its parse and plan were three quarters of its 0.15-0.2 ms of Postgres CPU). */
const batchToSendStatement = compiledOnce(
  (db, v: { id: string }) =>
    db
      .selectFrom('sms_batches as b')
      .innerJoin('organizations as o', 'o.id', 'b.organization_id')
      .select(BATCH_COLUMNS.map((c) => `b.${c}` as const))
      .select(sql<boolean>`o.ended_at IS NOT NULL`.as('organization_ended'))
      .where('b.id', '=', v.id),
  { prepared: true, perCallWithPlugins: true },
);

/** The batch's status, or undefined when it is gone (a send's look for a cancel). */
export async function batchStatus(db: Db, id: string): Promise<SmsBatch['status'] | undefined> {
  const { rows } = await db.executeQuery(batchStatusStatement(db, { id }));
  return rows[0]?.status;
}

const batchStatusStatement = compiledOnce((db, v: { id: string }) => db.selectFrom('sms_batches').select('status').where('id', '=', v.id), {
  prepared: true,
  perCallWithPlugins: true,
});

export async function markBatchSending(db: Db, id: string): Promise<void> {
  await db.updateTable('sms_batches').set({ status: 'sending', started_at: sql`now()` }).where('id', '=', id).where('status', '=', 'queued').execute();
}

/**
 * Closes the chunk when none of its messages can still change by sending: none `queued` (an
 * ops resend, or another run's throttled window, may have queued some again meanwhile: the
 * chunk job skips its own rescan when it queued none again, so this is the check) and none
 * `sending` (a window whose outcome was never written: its worker was killed, or the write
 * failed, and the sweep turns it `unknown` after SMS_SENDING_TIMEOUT). Answers 'done' when this
 * call closed it, 'closed' when it was closed already (two runs of one chunk: an ops resend's
 * follow-up job beside the one it reopened), else the status that keeps it open ('queued'
 * first). It reads every message of the chunk when none is open (the usual case): a bitmap
 * scan of the chunk's ~100 pages, about 0.5 ms for 1,000; an index on status would make every
 * status change a non-HOT update.
 */
export async function markChunkDone(db: Db, batchId: string, range: { chunk: number; from: number; to: number }): Promise<'done' | 'closed' | 'queued' | 'sending'> {
  const result = await db.executeQuery(chunkDoneStatement(db, { batchId, chunk: range.chunk, from: range.from, to: range.to }));
  const row = result.rows[0];
  if (row?.open) return row.open;
  return row?.closed ? 'done' : 'closed';
}

/** markChunkDone's statement, compiled once (db/compiled-once.ts) and prepared: parsed and planned each chunk, it cost Postgres about 0.25 ms more. */
const chunkDoneStatement = compiledOnce(
  (_db, v: { batchId: string; chunk: number; from: number; to: number }) => sql<{ open: 'queued' | 'sending' | null; closed: boolean }>`
    WITH open AS (
      SELECT status FROM sms_messages
      WHERE batch_id = ${v.batchId} AND seq >= ${v.from} AND seq < ${v.to} AND status IN ('queued', 'sending')
      ORDER BY status <> 'queued' LIMIT 1
    ), closed AS (
      UPDATE sms_chunks SET done = true
      WHERE batch_id = ${v.batchId} AND chunk = ${v.chunk} AND NOT done AND NOT EXISTS (SELECT 1 FROM open)
      RETURNING 1
    )
    SELECT (SELECT status FROM open) AS open, EXISTS (SELECT 1 FROM closed) AS closed`,
  { prepared: true, perCallWithPlugins: true },
);

/** CSV batches still 'validating' long after any upload could last: the upload died. */
export async function dropAbandonedUploads(db: Kysely<Database>): Promise<number> {
  // The sweep calls it in its transaction: the batch, its messages and their parts go together.
  const gone = await db
    .deleteFrom('sms_batches')
    .where('status', '=', 'validating')
    .where('created_at', '<', sql<Date>`now() - interval '1 hour'`)
    .returning('id')
    .execute();
  if (gone.length > 0) await deleteBatchMessages(db, gone.map((b) => b.id));
  return gone.length;
}

/**
 * Deletes the messages of these batches and their parts, in one statement: sms_message_parts has
 * no foreign key to sms_messages (it doubled the insert of a window's parts), so nothing cascades.
 * Every deletion of sms_messages rows goes through here.
 */
export async function deleteBatchMessages(db: Db, batchIds: readonly string[]): Promise<void> {
  await sql`
    WITH gone AS (DELETE FROM sms_messages WHERE batch_id = ANY(${batchIds}::uuid[]) RETURNING id)
    DELETE FROM sms_message_parts WHERE message_id IN (SELECT id FROM gone)`.execute(db);
}

/** Completes the batch when no chunk is open; true when this call completed it. */
export async function completeBatchIfDone(db: Db, id: string): Promise<boolean> {
  // Every chunk but the last finds another still open: answered by a read, without the lock
  // below (its row lock is a write, and its commit a WAL flush: about 0.2 ms of Postgres CPU a
  // chunk). Safe because the caller closed its chunk in a committed statement before: of two
  // last chunks closing together, the one whose read comes second sees the other closed.
  if ((await db.executeQuery(otherChunkOpenStatement(db, { id }))).rows.length > 0) return false;
  // The batch locked first, in a statement of its own: the check below then reads after any
  // transaction that held it (an ops resend reopening a chunk). Waiting inside the UPDATE
  // rechecked only the batch row, and its open-chunk test on the snapshot from before the wait.
  await db.selectFrom('sms_batches').select('id').where('id', '=', id).forUpdate().execute();
  const result = await db
    .updateTable('sms_batches')
    .set({ status: 'completed', completed_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('sms_chunks').select('chunk').where('batch_id', '=', id).where('done', '=', false))))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** completeBatchIfDone's read, prepared (`NOT done` written out: a generic plan of `done = $2` could not take the partial index). */
const otherChunkOpenStatement = compiledOnce((_db, v: { id: string }) => sql<{ chunk: number }>`SELECT chunk FROM sms_chunks WHERE batch_id = ${v.id} AND NOT done LIMIT 1`, {
  prepared: true,
  perCallWithPlugins: true,
});

export async function openChunks(db: Kysely<Database>, batchId: string): Promise<number[]> {
  const rows = await db.selectFrom('sms_chunks').select('chunk').where('batch_id', '=', batchId).where('done', '=', false).orderBy('chunk').execute();
  return rows.map((r) => r.chunk);
}

/**
 * Windows claimed longer than SMS_SENDING_TIMEOUT ago without an outcome: their messages still
 * 'sending' may or may not have reached the SMSC, so they become 'unknown' (ARCHITECTURE.md,
 * rule 4), never re-sent.
 */
export async function expireSendingSms(db: Kysely<Database>): Promise<number> {
  const result = await sql`
    WITH stale AS (
      DELETE FROM sms_claims WHERE claimed_at < now() - ${SMS_SENDING_TIMEOUT}::interval RETURNING batch_id, first_seq, last_seq
    )
    UPDATE sms_messages m SET status = 'unknown', error_code = 'sending-timeout'
    FROM stale s
    WHERE m.batch_id = s.batch_id AND m.seq >= s.first_seq AND m.seq <= s.last_seq AND m.status = 'sending'`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
