// Accepting a batch: validate (off the event loop), drop duplicates, mark opted-out numbers
// suppressed, price every message, store batch, messages and chunks. JSON batches are stored
// in one transaction; CSV uploads stream slice by slice into a batch that stays 'validating'
// (never sent) until its last slice is in. The audit entry is written in the transaction that
// makes the batch whole; the caller enqueues the returned jobs after the commit (if Redis is
// away the reconciler does it).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { bulkTransaction, copyIntoTable } from '../../db/database.js';
import type { Database, SmsBatch } from '../../db/schema.js';
import type { Language } from '../../db/schema/columns.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { asIntake } from '../core/intake-gate.js';
import type { Deps } from '../core/deps.js';
import { CallerGoneError, ConflictError } from '../core/domain-errors.js';
import { chunkJobs } from './chunk-jobs.js';
import { identifierHash } from '../privacy/subject.js';
import { anyRestriction, optedOut, phoneHash, restrictedHashes } from './opt-outs.js';
import { compilePrices, fromUnits } from './pricing.js';
import { SeenRecipients } from './seen-recipients.js';
import type { RecipientInput, Rejection, SliceResult, ValidatedMessage } from './validate.js';
import { copyRecipients, validateRecipients } from './validation-pool.js';
import { COPY_COLUMNS, HASH_BYTES, SUPPRESSED_TAIL, type CopySlice, type Hashing } from './copy-slice.js';
import { MessageCopy } from './message-copy.js';
import { deleteBatchMessages } from './store.js';
import { SliceBuffers } from './slice-buffers.js';
import type { RecipientSlice } from './csv-recipients.js';

const CHUNK_SIZE = 1_000;
const REJECTIONS_KEPT = 100;
const INSERT_SLICE = 5_000;
/** Recipients per validation task (one pool.run) of a JSON batch. */
const VALIDATE_SLICE = 10_000;
/** From this many recipients a JSON batch's messages are written by COPY (storeBatchByCopy). */
const COPY_FROM_RECIPIENTS = 1_000;
/** A streamed slice's COPY lines: 10,000 messages of a 160-character text take about 2.5 MB. */
const COPY_BUFFER_BYTES = 4 * 1024 * 1024;

export interface BatchOptions {
  readonly sender: string;
  readonly body: string;
  readonly sendAt: Date | null;
  readonly reference: string | null;
  readonly callbackUrl: string | null;
  readonly purpose: 'service' | 'marketing';
  readonly language?: Language;
  readonly idempotencyKey: string | null;
}

export interface PricedMessage extends ValidatedMessage {
  readonly status: 'queued' | 'suppressed';
  readonly costUnits: number;
  /** The keyed hashes the intake's lookups made of the number and the address, stored with the message for the send path's; null where none was made. */
  readonly phoneHash: Buffer | null;
  readonly emailHash: Buffer | null;
}

/** Running totals of a batch, fed slice by slice. */
export class BatchTotals {
  accepted = 0;
  rejected = 0;
  readonly rejections: Rejection[] = [];
  private readonly encodings = new Set<string>();
  private segmentsMin: number | null = null;
  private segmentsMax: number | null = null;
  private segmentsTotal = 0;
  private costUnits = 0;
  recipients = 0;
  /** Phone numbers (or addresses) seen so far: duplicates within a batch go out once. */
  readonly seen = new SeenRecipients();

  reject(rejections: readonly Rejection[]): void {
    this.rejected += rejections.length;
    for (const r of rejections) if (this.rejections.length < REJECTIONS_KEPT) this.rejections.push(r);
  }

  add(messages: readonly PricedMessage[]): void {
    for (const m of messages) this.addOne(m.status === 'queued' && m.channel === 'sms', m.encoding, m.segments, m.costUnits);
  }

  /** One accepted message; `sent` when it is an SMS to be sent (segments are SMS parts: an e-mail or a suppressed number has none). */
  addOne(sent: boolean, encoding: 'gsm7' | 'ucs2', segments: number, costUnits: number): void {
    this.accepted += 1;
    if (!sent) return;
    this.encodings.add(encoding);
    this.segmentsMin = Math.min(this.segmentsMin ?? segments, segments);
    this.segmentsMax = Math.max(this.segmentsMax ?? segments, segments);
    this.segmentsTotal += segments;
    this.costUnits += costUnits;
  }

  get chunks(): number {
    return this.recipients === 0 ? 0 : Math.floor((this.recipients - 1) / CHUNK_SIZE) + 1;
  }

  columns() {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      rejections: JSON.stringify([...this.rejections].sort((a, b) => a.index - b.index)),
      encoding: this.encodings.size === 0 ? null : this.encodings.size === 1 ? ([...this.encodings][0] as 'gsm7' | 'ucs2') : ('mixed' as const),
      segments_min: this.segmentsMin,
      segments_max: this.segmentsMax,
      segments_total: this.segmentsTotal,
      cost: fromUnits(this.costUnits),
      chunks: this.chunks,
    };
  }
}

async function hasOptOuts(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  const row = await db.selectFrom('sms_opt_outs').select(sql<number>`1`.as('one')).where('organization_id', '=', organizationId).limit(1).executeTakeFirst();
  return row !== undefined;
}

type PriceSlice = (db: Kysely<Database>, slice: SliceResult) => Promise<PricedMessage[]>;

/**
 * What a lookup found among some values (numbers, or addresses): those not to be sent to, and
 * each value's keyed hash in their order, when it made them (only when there was anything to
 * look them up in): kept on the messages (sms_messages.phone_hash, email_hash), so the send
 * path looks them up again without hashing.
 */
export interface Lookup {
  readonly held: ReadonlySet<string>;
  readonly hashes: readonly (Buffer | undefined)[] | null;
}
export type SuppressedAmong = (db: Kysely<Database>, values: readonly string[], hashes?: readonly Buffer[]) => Promise<Lookup>;
const NOTHING_LOOKED_UP: Lookup = { held: new Set(), hashes: null };

/**
 * What a batch's intake is to check, asked once a batch: numbers when its organisation has an
 * opt-out or the platform a restriction, addresses when the platform has a restriction. Most
 * organisations have none, and then nothing is hashed or looked up: a keyed hash per number and
 * a lookup with an array of 100,000 hashes were together about 2 s of a 100,000-recipient batch.
 */
function batchChecks(organizationId: string) {
  let emails: Promise<boolean> | undefined;
  let phones: Promise<boolean> | undefined;
  // `db`: the first asker's executor (its transaction, if it has one).
  const anyRestricted = (db: Kysely<Database>) => (emails ??= anyRestriction(db));
  return {
    emails: anyRestricted,
    phones: (db: Kysely<Database>) => (phones ??= hasOptOuts(db, organizationId).then((optOuts) => optOuts || anyRestricted(db))),
  };
}
type BatchChecks = ReturnType<typeof batchChecks>;

/** The hashes a streamed batch's pool threads are to make (copy-slice.ts), undefined for none. */
async function hashingOf(deps: Deps, checks: BatchChecks): Promise<Hashing | undefined> {
  const [phones, emails] = await Promise.all([checks.phones(deps.db), checks.emails(deps.db)]);
  return phones || emails ? { key: deps.config.suppressionKey, phones, emails } : undefined;
}

/** The numbers among `phones` an opt-out (or a privacy restriction) suppresses, hashed here unless `given` (in their order). */
function suppressionCheck(deps: Deps, organizationId: string, checks: BatchChecks) {
  return async (db: Kysely<Database>, phones: readonly string[], given?: readonly Buffer[]): Promise<Lookup> => {
    if (phones.length === 0 || !(await checks.phones(db))) return NOTHING_LOOKED_UP;
    const hashes = given ?? phones.map((phone) => phoneHash(deps.config.suppressionKey, phone));
    const hits = await optedOut(db, organizationId, hashes);
    return { held: new Set(phones.filter((_, i) => hits.has(hashes[i]?.toString('hex') ?? ''))), hashes };
  };
}

/** The addresses among `emails` under a privacy restriction (art. 18), hashed here unless `given`. */
function restrictionCheck(deps: Deps, checks: BatchChecks) {
  return async (db: Kysely<Database>, emails: readonly string[], given?: readonly Buffer[]): Promise<Lookup> => {
    if (emails.length === 0 || !(await checks.emails(db))) return NOTHING_LOOKED_UP;
    const hashes = given ?? emails.map((email) => identifierHash(deps.config.suppressionKey, 'email', email));
    const hits = new Set((await restrictedHashes(db, hashes)).map((h) => h.toString('hex')));
    return { held: new Set(emails.filter((_, i) => hits.has(hashes[i]?.toString('hex') ?? ''))), hashes };
  };
}

/** The lookups of one batch's intake, sharing what it is to check. */
function batchLookups(deps: Deps, organizationId: string, checks = batchChecks(organizationId)) {
  return { suppressedAmong: suppressionCheck(deps, organizationId, checks), restrictedAmong: restrictionCheck(deps, checks), checks };
}

/**
 * What a batch does to each validated slice: drop duplicates, mark opted-out numbers and
 * restricted addresses (a recipient reached by mail, or named by address beside a number), and
 * price. Made once per batch: the price table is compiled once. `db` is the caller's
 * executor: its transaction, if it has one.
 */
export function slicePricer(
  deps: Deps,
  organizationId: string,
  totals: BatchTotals,
  { suppressedAmong, restrictedAmong }: { suppressedAmong: SuppressedAmong; restrictedAmong: SuppressedAmong } = batchLookups(deps, organizationId),
): PriceSlice {
  const priceOf = compilePrices(deps.config.sms.prices);

  return async (db, slice) => {
    const unique: ValidatedMessage[] = [];
    const duplicates: Rejection[] = [];
    for (const message of slice.messages) {
      if (totals.seen.add(message.phone, message.email)) unique.push(message);
      else duplicates.push({ index: message.seq, reason: 'duplicate' });
    }
    totals.reject([...slice.rejections, ...duplicates].sort((a, b) => a.index - b.index));
    const suppressed = await suppressedAmong(db, unique.flatMap((m) => (m.phone ? [m.phone] : [])));
    const restricted = await restrictedAmong(db, unique.flatMap((m) => (m.email ? [m.email] : [])));
    // The hashes are in the order of the numbers (addresses) asked: the next of each is the next message's that has one.
    let phoneAt = 0;
    let emailAt = 0;
    // The validated objects are this function's own (fresh from the worker): price them in place.
    const priced = unique.map((m) => {
      const status = (m.phone && suppressed.held.has(m.phone)) || (m.email && restricted.held.has(m.email)) ? ('suppressed' as const) : ('queued' as const);
      const costUnits = status === 'queued' && m.phone ? m.segments * priceOf(m.phone) : 0;
      const phoneHash = m.phone ? (suppressed.hashes?.[phoneAt++] ?? null) : null;
      const emailHash = m.email ? (restricted.hashes?.[emailAt++] ?? null) : null;
      return Object.assign(m, { status, costUnits, phoneHash, emailHash });
    });
    totals.add(priced);
    return priced;
  };
}

/** The hashes a pool thread made (HASH_BYTES each, copy-slice.ts) of the messages at `indexes`, as views. */
const hashesAt = (hashes: Uint8Array, indexes: readonly number[]): Buffer[] => indexes.map((i) => Buffer.from(hashes.buffer, hashes.byteOffset + i * HASH_BYTES, HASH_BYTES));

/**
 * The same for a streamed slice (copy-slice.ts), which has no object per message: what is
 * kept of its COPY bytes, with opted-out numbers' lines made 'suppressed' at no cost. The
 * lookups take the hashes the pool thread made (and wrote into the lines): none is made here.
 */
function copySlicer(deps: Deps, organizationId: string, totals: BatchTotals, checks: BatchChecks) {
  const { suppressedAmong, restrictedAmong } = batchLookups(deps, organizationId, checks);
  return async (slice: CopySlice): Promise<Buffer> => {
    const copy = Buffer.from(slice.copy.buffer, slice.copy.byteOffset, slice.copy.byteLength);
    const kept: number[] = [];
    const duplicates: Rejection[] = [];
    // The kept messages that have an address, by index, in order.
    const addressOf = new Map<number, string>();
    let email = 0;
    for (let i = 0; i < slice.seqs.length; i++) {
      const phone = slice.phones[i] ?? 0;
      const address = slice.withEmail[i] === 1 ? (slice.emails[email++] ?? '') : '';
      const fresh = phone !== 0 ? totals.seen.addNumber(phone) : totals.seen.add(null, address);
      if (fresh) kept.push(i);
      else duplicates.push({ index: slice.seqs[i] ?? 0, reason: 'duplicate' });
      if (fresh && slice.withEmail[i] === 1) addressOf.set(i, address);
    }
    totals.reject([...slice.rejections, ...duplicates].sort((a, b) => a.index - b.index));
    const phoneOf = (i: number) => `+${slice.phones[i] ?? 0}`;
    const numbered = kept.filter((i) => slice.phones[i] !== 0);
    const addressed = [...addressOf.keys()];
    const suppressed = await suppressedAmong(deps.db, numbered.map(phoneOf), slice.phoneHashes ? hashesAt(slice.phoneHashes, numbered) : undefined);
    const restricted = await restrictedAmong(deps.db, [...addressOf.values()], slice.emailHashes ? hashesAt(slice.emailHashes, addressed) : undefined);
    // Nearly always neither is held: then no number is written out a second time (issue 16).
    const held = (i: number) =>
      (suppressed.held.size > 0 && slice.phones[i] !== 0 && suppressed.held.has(phoneOf(i))) || (restricted.held.size > 0 && restricted.held.has(addressOf.get(i) ?? ''));
    for (const i of kept) {
      const sms = slice.phones[i] !== 0;
      totals.addOne(sms && !held(i), slice.ucs2[i] === 1 ? 'ucs2' : 'gsm7', slice.segments[i] ?? 0, slice.units[i] ?? 0);
    }
    if (kept.length === slice.seqs.length && suppressed.held.size === 0 && restricted.held.size === 0) return copy;
    // Rare: duplicates, opt-outs or restrictions. Only then the lines are picked one by one.
    const parts: Buffer[] = [];
    for (const i of kept) {
      const start = i === 0 ? 0 : (slice.ends[i - 1] ?? 0);
      if (held(i)) parts.push(copy.subarray(start, slice.costAt[i]), Buffer.from(SUPPRESSED_TAIL));
      else parts.push(copy.subarray(start, slice.ends[i]));
    }
    return Buffer.concat(parts);
  };
}

async function insertMessages(db: Kysely<Database>, batchId: string, organizationId: string, messages: readonly PricedMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += INSERT_SLICE) {
    const slice = messages.slice(start, start + INSERT_SLICE);
    await sql`
      INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, cost, status, phone_hash, email_hash)
      SELECT ${batchId}, ${organizationId}, * FROM unnest(
        ${slice.map((m) => m.seq)}::int[], ${slice.map((m) => m.channel)}::text[], ${slice.map((m) => m.phone)}::text[],
        ${slice.map((m) => m.email)}::text[], ${slice.map((m) => m.fieldsJson)}::jsonb[],
        ${slice.map((m) => m.text)}::text[], ${slice.map((m) => m.destination)}::text[], ${slice.map((m) => m.encoding)}::text[],
        ${slice.map((m) => m.segments)}::int[], ${slice.map((m) => fromUnits(m.costUnits))}::numeric[], ${slice.map((m) => m.status)}::text[],
        ${slice.map((m) => m.phoneHash)}::bytea[], ${slice.map((m) => m.emailHash)}::bytea[])`.execute(db);
  }
}

async function findByIdempotencyKey(db: Kysely<Database>, organizationId: string, key: string): Promise<SmsBatch | undefined> {
  return db.selectFrom('sms_batches').selectAll().where('organization_id', '=', organizationId).where('idempotency_key', '=', key).executeTakeFirst();
}

export const isScheduled = (options: BatchOptions) => options.sendAt !== null && options.sendAt.getTime() > Date.now();

export function batchRow(organizationId: string, options: BatchOptions) {
  return {
    organization_id: organizationId,
    sender: options.sender,
    body: options.body,
    reference: options.reference,
    callback_url: options.callbackUrl,
    purpose: options.purpose,
    ...(options.language && { language: options.language }),
    idempotency_key: options.idempotencyKey,
    send_at: options.sendAt,
    chunk_size: CHUNK_SIZE,
  };
}

/**
 * An organisation ended while its batch was taken in (the caller was let in before the end; the
 * end cancelled only the batches it could see): CallerGoneError, and the batch is not made whole.
 * Asked as the batch is sealed, after its messages are in: an end committed by then is seen. One
 * committing while this transaction commits is not; the send re-checks (send-chunk.ts), as it
 * does for batches stored in one statement (grouped-batches.ts).
 */
async function refuseEndedOrganization(trx: Kysely<Database>, batchId: string): Promise<void> {
  const ended = await trx
    .selectFrom('sms_batches as b')
    .innerJoin('organizations as o', 'o.id', 'b.organization_id')
    .select('o.id')
    .where('b.id', '=', batchId)
    .where('o.ended_at', 'is not', null)
    .executeTakeFirst();
  if (ended) throw new CallerGoneError('The organisation ended while this batch was being taken in: nothing of it is sent.');
}

/**
 * Makes a 'validating' batch queued or scheduled, with its totals, and opens its chunks.
 * Undefined (and no chunks) when it is no longer 'validating': cancelled meanwhile.
 */
async function seal(trx: Kysely<Database>, id: string, options: BatchOptions, totals: BatchTotals): Promise<SmsBatch | undefined> {
  await refuseEndedOrganization(trx, id);
  const sealed = await trx
    .updateTable('sms_batches')
    .set({ status: isScheduled(options) ? 'scheduled' : 'queued', ...totals.columns() })
    .where('id', '=', id)
    .where('status', '=', 'validating')
    .returningAll()
    .executeTakeFirst();
  if (sealed && totals.chunks > 0) await sql`INSERT INTO sms_chunks (batch_id, chunk) SELECT ${id}, generate_series(0, ${totals.chunks - 1})`.execute(trx);
  return sealed;
}

/** The fields of the request a replay must repeat: a key used for another batch is a mistake, not a retry. */
function sameRequest(batch: SmsBatch, options: BatchOptions): boolean {
  return (
    batch.sender === options.sender &&
    batch.body === options.body &&
    batch.purpose === options.purpose &&
    batch.reference === options.reference &&
    batch.callback_url === options.callbackUrl &&
    (batch.send_at?.getTime() ?? null) === (options.sendAt?.getTime() ?? null)
  );
}

/**
 * Runs `create`, or returns the batch already made with the same Idempotency-Key, when this
 * request is that batch's again (sender, text, purpose, reference, callback and sendAt); a key
 * used before for another batch is a ConflictError (nothing made, nothing sent).
 */
export async function idempotent(deps: Deps, organizationId: string, options: BatchOptions, create: () => Promise<SmsBatch>): Promise<{ batch: SmsBatch; replayed: boolean }> {
  const key = options.idempotencyKey;
  const replay = (existing: SmsBatch) => {
    if (!sameRequest(existing, options)) throw new ConflictError('This Idempotency-Key was used for another batch (its sender, text, purpose, reference, callbackUrl or sendAt differ): use a new key for a new batch.', 'header.idempotency-key');
    return { batch: existing, replayed: true };
  };
  if (key) {
    const existing = await findByIdempotencyKey(deps.db, organizationId, key);
    if (existing) return replay(existing);
  }
  try {
    return { batch: await create(), replayed: false };
  } catch (error) {
    if (key && (error as { constraint?: string }).constraint === 'sms_batches_idempotency_key') {
      const existing = await findByIdempotencyKey(deps.db, organizationId, key);
      if (existing) return replay(existing);
    }
    throw error;
  }
}

/** Who submits a batch, as the audit trail names them. */
export type BatchActor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;

/** A submitted batch, and the jobs to enqueue after the commit (none for a replay). */
export interface BatchOutcome {
  readonly batch: SmsBatch;
  readonly replayed: boolean;
  readonly jobs: JobRequest[];
}

/** The audit entry of a batch made whole. */
export function createdEntry(batch: Pick<SmsBatch, 'id' | 'accepted' | 'rejected'>, actor: BatchActor): AuditEntry {
  return { ...actor, action: 'sms.batch.created', entityType: 'sms_batch', entityId: batch.id, details: { accepted: batch.accepted, rejected: batch.rejected } };
}

/** In the transaction that makes the batch whole: its audit entry. */
function auditCreated(trx: Kysely<Database>, batch: SmsBatch, actor: BatchActor): Promise<void> {
  return audit(trx, createdEntry(batch, actor));
}

export function jobsOf(batch: SmsBatch): JobRequest[] {
  return batch.status === 'queued' ? chunkJobs(batch.id, Array.from({ length: batch.chunks }, (_, i) => i)) : [];
}

/**
 * A JSON batch: every recipient in memory already, stored in one transaction. All its slices
 * go to the validation pool at once, and each is stored as soon as it and those before it
 * are validated, so Postgres writes while the worker threads still validate (before, the
 * two ran one after the other: about 2 s each for 100,000 recipients on 2 cores).
 */
export async function createBatch(deps: Deps, organizationId: string, options: BatchOptions, recipients: readonly RecipientInput[], actor: BatchActor): Promise<BatchOutcome> {
  return asIntake(() =>
    recipients.length >= COPY_FROM_RECIPIENTS ? storeBatchByCopy(deps, organizationId, options, recipients, actor) : storeBatch(deps, organizationId, options, recipients, actor),
  );
}

/**
 * A large JSON batch as the CSV upload stores its slices: each validated on the pool into COPY
 * lines and typed arrays (copy-slice.ts), so the main thread builds no object per recipient,
 * and its lines go by one COPY inside the batch's transaction (all or nothing), slice by
 * slice as each is decided. The batch's id is chosen here: the pool writes it into the lines.
 */
async function storeBatchByCopy(deps: Deps, organizationId: string, options: BatchOptions, recipients: readonly RecipientInput[], actor: BatchActor): Promise<BatchOutcome> {
  const outcome = await idempotent(deps, organizationId, options, async () => {
    const id = randomUUID();
    const totals = new BatchTotals();
    totals.recipients = recipients.length;
    const checks = batchChecks(organizationId);
    const keep = copySlicer(deps, organizationId, totals, checks);
    const task = { body: options.body, batchId: id, organizationId, prices: deps.config.sms.prices, hashing: await hashingOf(deps, checks) };
    const slices: Promise<CopySlice>[] = [];
    for (let start = 0; start < recipients.length; start += VALIDATE_SLICE) {
      const slice = copyRecipients({ ...task, firstSeq: start }, Buffer.from(JSON.stringify(recipients.slice(start, start + VALIDATE_SLICE))));
      // Awaited in order below; one that fails after an earlier failure must not go unhandled.
      slice.catch(() => undefined);
      slices.push(slice);
    }
    async function* lines(): AsyncGenerator<Buffer> {
      for (const slice of slices) yield await keep(await slice);
    }
    return deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('sms_batches').values({ id, ...batchRow(organizationId, options), status: 'validating' }).execute();
      await copyIntoTable(trx, `sms_messages (${COPY_COLUMNS})`, lines());
      const sealed = await seal(trx, id, options, totals);
      if (!sealed) throw new Error(`batch ${id} left 'validating' inside its own transaction`);
      await auditCreated(trx, sealed, actor);
      return sealed;
    });
  });
  return { ...outcome, jobs: outcome.replayed ? [] : jobsOf(outcome.batch) };
}

async function storeBatch(deps: Deps, organizationId: string, options: BatchOptions, recipients: readonly RecipientInput[], actor: BatchActor): Promise<BatchOutcome> {
  const outcome = await idempotent(deps, organizationId, options, async () => {
    const totals = new BatchTotals();
    totals.recipients = recipients.length;
    const priceSlice = slicePricer(deps, organizationId, totals);
    const slices: Promise<SliceResult>[] = [];
    for (let start = 0; start < recipients.length; start += VALIDATE_SLICE) {
      const slice = validateRecipients(options.body, recipients.slice(start, start + VALIDATE_SLICE), start);
      // Awaited in order below; one that fails after an earlier failure must not go unhandled.
      slice.catch(() => undefined);
      slices.push(slice);
    }
    return deps.db.transaction().execute(async (trx) => {
      // 'validating' until its messages are in; nobody sees it before the commit anyway.
      const { id } = await trx.insertInto('sms_batches').values({ ...batchRow(organizationId, options), status: 'validating' }).returning('id').executeTakeFirstOrThrow();
      for (const slice of slices) await insertMessages(trx, id, organizationId, await priceSlice(trx, await slice));
      const sealed = await seal(trx, id, options, totals);
      if (!sealed) throw new Error(`batch ${id} left 'validating' inside its own transaction`);
      await auditCreated(trx, sealed, actor);
      return sealed;
    });
  });
  return { ...outcome, jobs: outcome.replayed ? [] : jobsOf(outcome.batch) };
}

/**
 * A streamed batch (CSV): the batch row exists from the first slice on, as 'validating', so
 * nothing is sent before the last slice is stored; `finish` makes it queued or scheduled.
 */
export async function openStreamedBatch(deps: Deps, organizationId: string, options: BatchOptions, actor: BatchActor) {
  // Decided before the batch is opened and its first slice goes to the pool: every slice's threads hash alike.
  const checks = batchChecks(organizationId);
  const hashing = await hashingOf(deps, checks);
  const opened = await idempotent(deps, organizationId, options, () =>
    deps.db.insertInto('sms_batches').values({ ...batchRow(organizationId, options), status: 'validating' }).returningAll().executeTakeFirstOrThrow(),
  );
  if (opened.replayed) return { kind: 'replayed', batch: opened.batch } as const;
  const id = opened.batch.id;
  const totals = new BatchTotals();
  const keep = copySlicer(deps, organizationId, totals, checks);
  const buffers = new SliceBuffers(COPY_BUFFER_BYTES, 2);
  let copy: MessageCopy | undefined;
  return {
    kind: 'open',
    /** Starts validating a slice on the pool; hand the result to storeSlice, slices in order. */
    async validateSlice(firstSeq: number, recipients: RecipientSlice): Promise<CopySlice> {
      totals.recipients = Math.max(totals.recipients, firstSeq + recipients.count);
      const into = buffers.take();
      const input = { body: options.body, firstSeq, batchId: id, organizationId, prices: deps.config.sms.prices, hashing };
      // The slice's columns (and its lines, when they fit) come back in `into`: it is the slice's until stored.
      return copyRecipients(input, recipients.json, into)
        .catch((error: unknown) => {
          buffers.give(into);
          throw error;
        })
        .finally(() => recipients.release());
    },
    /** Drops duplicates, marks opt-outs and writes a validated slice to the batch's COPY; called for each slice in order, one at a time. */
    async storeSlice(validated: CopySlice): Promise<void> {
      const shared = validated.seqs.buffer instanceof SharedArrayBuffer ? validated.seqs.buffer : null;
      try {
        const bytes = await keep(validated);
        copy ??= await MessageCopy.open(deps.config);
        await copy.write(bytes);
      } finally {
        if (shared) buffers.give(shared, copy?.released() ?? true);
      }
    },
    async finish(): Promise<BatchOutcome> {
      const ending = copy;
      copy = undefined;
      await ending?.end();
      const finished = await bulkTransaction(deps.db, async (trx) => {
        let batch = await seal(trx, id, options, totals);
        if (!batch) {
          // Cancelled while it was still validating: its messages are cancelled with it (and it has no chunks).
          await trx.updateTable('sms_messages').set({ status: 'cancelled' }).where('batch_id', '=', id).where('status', '=', 'queued').execute();
          batch = await trx.updateTable('sms_batches').set(totals.columns()).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
        }
        await auditCreated(trx, batch, actor);
        return batch;
      });
      return { batch: finished, replayed: false, jobs: jobsOf(finished) };
    },
    /** A failed upload was never accepted: nothing of it stays. */
    async abandon(): Promise<void> {
      const ending = copy;
      copy = undefined;
      await ending?.abort();
      await bulkTransaction(deps.db, async (trx) => {
        const gone = await trx.deleteFrom('sms_batches').where('id', '=', id).where('status', '=', 'validating').executeTakeFirst();
        if (gone.numDeletedRows > 0n) await deleteBatchMessages(trx, [id]);
      });
    },
  } as const;
}
