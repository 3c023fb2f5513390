// Status callbacks to the organisation's callbackUrl: a row per change set (batch status, or a
// chunk's message statuses, a reply), sent by the sms.callback job, signed, retried with backoff.
// They carry ids, positions and statuses: never numbers or addresses; a reply's text is read
// when it is sent (replies.ts), so a row holds no text either.
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, SmsBatch } from '../../db/schema.js';

/** A message in a messages.status callback: its id, its position in the batch, its status. */
export interface CallbackMessage {
  readonly id: number;
  readonly index: number;
  readonly status: string;
  readonly errorCode: string | null;
}

export interface CallbackPayload {
  readonly type: 'batch.status' | 'messages.status' | 'messages.reply';
  readonly batchId: string;
  readonly reference: string | null;
  readonly status?: string;
  readonly messages?: readonly CallbackMessage[];
  /** messages.reply: the sms_replies row, expanded when the callback is sent. */
  readonly replyId?: number;
}

type CallbackBatch = Pick<SmsBatch, 'id' | 'organization_id' | 'callback_url' | 'reference'>;

type CallbackContent = Omit<CallbackPayload, 'batchId' | 'reference'>;

/** Stores the callbacks of the batches that have a callbackUrl, in one statement; returns their ids for enqueueing. */
export async function queueCallbacks(db: Kysely<Database>, callbacks: ReadonlyArray<{ batch: CallbackBatch; content: CallbackContent }>): Promise<number[]> {
  const rows = callbacks
    .filter(({ batch }) => batch.callback_url)
    .map(({ batch, content }) => {
      const payload: CallbackPayload = { batchId: batch.id, reference: batch.reference, ...content };
      return { organization_id: batch.organization_id, batch_id: batch.id, payload: JSON.stringify(payload) };
    });
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('sms_callbacks').values(rows).returning('id').execute();
  return inserted.map((r) => Number(r.id));
}

/** Stores a callback when the batch has a callbackUrl; returns its id for enqueueing. */
export async function queueCallback(db: Kysely<Database>, batch: CallbackBatch, content: CallbackContent): Promise<number | undefined> {
  return (await queueCallbacks(db, [{ batch, content }]))[0];
}

/** Messages of a chunk whose status is final, for its callback. */
export async function chunkStatuses(db: Kysely<Database>, batchId: string, range: { from: number; to: number }): Promise<CallbackMessage[]> {
  const rows = await db
    .selectFrom('sms_messages')
    .select(['id', 'seq', 'status', 'error_code'])
    .where('batch_id', '=', batchId)
    .where('seq', '>=', range.from)
    .where('seq', '<', range.to)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), index: r.seq, status: r.status, errorCode: r.error_code }));
}

/** The hex HMAC-SHA256 of "<t>.<body>": what a timestamped signature covers (ours, and the SMS HTTP gateway's). */
export function timestampedHmac(secret: string, at: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${at}.`).update(body).digest('hex');
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs its webhooks. */
export function signCallback(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${timestampedHmac(secret, at, body)}`;
}

export async function queuedCallbackIds(db: Kysely<Database>, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('sms_callbacks').select('id').where('status', '=', 'queued').orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

export async function loadCallback(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('sms_callbacks as c')
    .innerJoin('sms_batches as b', 'b.id', 'c.batch_id')
    .innerJoin('organizations as o', 'o.id', 'c.organization_id')
    .select(['c.id', 'c.payload', 'c.status', 'b.callback_url', 'o.callback_secret'])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

export async function finishCallback(db: Kysely<Database>, id: number, outcome: { status: 'sent' | 'failed' | 'queued'; httpStatus: number | null }): Promise<void> {
  await db
    .updateTable('sms_callbacks')
    .set({ status: outcome.status, last_http_status: outcome.httpStatus, attempts: sql`attempts + 1`, ...(outcome.status === 'sent' && { sent_at: sql`now()` }) })
    .where('id', '=', id)
    .execute();
}

export function callbackJobs(ids: ReadonlyArray<number | undefined>) {
  return ids.filter((id): id is number => id !== undefined).map((callbackId) => ({ name: 'sms.callback' as const, payload: { callbackId } }));
}
