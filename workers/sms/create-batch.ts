// Accepting a batch: validate (off the event loop), drop duplicates, mark opted-out numbers
// suppressed, price every message, then store batch, messages and chunks in one transaction.
// Enqueueing happens after the commit; if Redis is away the reconciler does it.
import { sql, type Kysely } from 'kysely';
import type { Deps } from '../core/deps.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import type { Database, SmsBatch } from '../../db/schema.js';
import { chunkJobs } from './chunk-jobs.js';
import { optedOut, phoneHash } from './opt-outs.js';
import { fromUnits, pricePerSegment } from './pricing.js';
import type { RecipientInput, Rejection, ValidatedMessage } from './validate.js';
import { validateRecipients } from './validation-pool.js';

export const CHUNK_SIZE = 1_000;
const INSERT_SLICE = 5_000;
export const REJECTIONS_KEPT = 100;

export interface BatchInput {
  readonly sender: string;
  readonly body: string;
  readonly recipients: readonly RecipientInput[];
  readonly sendAt: Date | null;
  readonly reference: string | null;
  readonly callbackUrl: string | null;
  readonly idempotencyKey: string | null;
}

interface PricedMessage extends ValidatedMessage {
  readonly status: 'queued' | 'suppressed';
  readonly costUnits: number;
}

/** Keeps the first of each phone number (or address, for e-mail only), rejecting the rest. */
function dropDuplicates(messages: readonly ValidatedMessage[]): { unique: ValidatedMessage[]; duplicates: Rejection[] } {
  const seen = new Set<string>();
  const unique: ValidatedMessage[] = [];
  const duplicates: Rejection[] = [];
  for (const message of messages) {
    const key = message.phone ?? `email:${message.email ?? ''}`;
    if (seen.has(key)) duplicates.push({ index: message.seq, reason: 'duplicate' });
    else {
      seen.add(key);
      unique.push(message);
    }
  }
  return { unique, duplicates };
}

function summarise(messages: readonly PricedMessage[]) {
  const sendable = messages.filter((m) => m.status === 'queued');
  const encodings = new Set(sendable.map((m) => m.encoding));
  const segments = sendable.map((m) => m.segments);
  return {
    encoding: encodings.size === 0 ? null : encodings.size === 1 ? [...encodings][0]! : ('mixed' as const),
    segments_min: segments.length ? Math.min(...segments) : null,
    segments_max: segments.length ? Math.max(...segments) : null,
    segments_total: segments.reduce((a, b) => a + b, 0),
    cost: fromUnits(sendable.reduce((total, m) => total + m.costUnits, 0)),
  };
}

async function insertMessages(trx: Kysely<Database>, batchId: string, organizationId: string, messages: readonly PricedMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += INSERT_SLICE) {
    const slice = messages.slice(start, start + INSERT_SLICE);
    await sql`
      INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, cost, status)
      SELECT ${batchId}, ${organizationId}, * FROM unnest(
        ${slice.map((m) => m.seq)}::int[], ${slice.map((m) => m.channel)}::text[], ${slice.map((m) => m.phone)}::text[],
        ${slice.map((m) => m.email)}::text[], ${slice.map((m) => (m.fields ? JSON.stringify(m.fields) : null))}::jsonb[],
        ${slice.map((m) => m.text)}::text[], ${slice.map((m) => m.destination)}::text[], ${slice.map((m) => m.encoding)}::text[],
        ${slice.map((m) => m.segments)}::int[], ${slice.map((m) => fromUnits(m.costUnits))}::numeric[], ${slice.map((m) => m.status)}::text[])`.execute(trx);
  }
}

export async function findByIdempotencyKey(deps: Deps, organizationId: string, key: string): Promise<SmsBatch | undefined> {
  return deps.db.selectFrom('sms_batches').selectAll().where('organization_id', '=', organizationId).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function createBatch(deps: Deps, organizationId: string, input: BatchInput): Promise<{ batch: SmsBatch; replayed: boolean }> {
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(deps, organizationId, input.idempotencyKey);
    if (existing) return { batch: existing, replayed: true };
  }
  const validated = await validateRecipients(input.body, input.recipients);
  const { unique, duplicates } = dropDuplicates(validated.messages);
  const rejections = [...validated.rejections, ...duplicates].sort((a, b) => a.index - b.index);
  const hashes = unique.filter((m) => m.phone).map((m) => phoneHash(deps.config.suppressionKey, m.phone!));
  const suppressed = await optedOut(deps.db, organizationId, hashes);
  const priced: PricedMessage[] = unique.map((m) => {
    const status = m.phone && suppressed.has(phoneHash(deps.config.suppressionKey, m.phone).toString('hex')) ? 'suppressed' : 'queued';
    const costUnits = status === 'queued' && m.phone ? m.segments * pricePerSegment(deps.config.sms.prices, m.phone) : 0;
    return { ...m, status, costUnits };
  });
  const scheduled = input.sendAt !== null && input.sendAt.getTime() > Date.now();
  const lastSeq = input.recipients.length - 1;
  const chunks = lastSeq < 0 ? 0 : Math.floor(lastSeq / CHUNK_SIZE) + 1;

  let batch: SmsBatch;
  try {
    batch = await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('sms_batches')
        .values({
          organization_id: organizationId,
          status: scheduled ? 'scheduled' : 'queued',
          sender: input.sender,
          body: input.body,
          reference: input.reference,
          callback_url: input.callbackUrl,
          idempotency_key: input.idempotencyKey,
          send_at: input.sendAt,
          chunk_size: CHUNK_SIZE,
          chunks,
          accepted: priced.length,
          rejected: rejections.length,
          rejections: JSON.stringify(rejections.slice(0, REJECTIONS_KEPT)),
          ...summarise(priced),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertMessages(trx, row.id, organizationId, priced);
      if (chunks > 0) await sql`INSERT INTO sms_chunks (batch_id, chunk) SELECT ${row.id}, generate_series(0, ${chunks - 1})`.execute(trx);
      return row;
    });
  } catch (error) {
    if ((error as { constraint?: string }).constraint === 'sms_batches_idempotency_key' && input.idempotencyKey) {
      const existing = await findByIdempotencyKey(deps, organizationId, input.idempotencyKey);
      if (existing) return { batch: existing, replayed: true };
    }
    throw error;
  }
  if (!scheduled) await enqueueAfterCommit(deps, chunkJobs(batch.id, Array.from({ length: chunks }, (_, i) => i)));
  return { batch, replayed: false };
}
