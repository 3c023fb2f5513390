// Small JSON batches (up to one chunk of recipients) by group commit (core/batcher.ts).
// Their cost is mostly fixed per request: a transaction of eight statements and a BullMQ add,
// whatever the number of recipients. Batches that arrive together are written together
// instead: one statement looks up opt-outs and restrictions for the whole group and stores every
// batch with its messages, chunk and audit entry (group-store.ts; atomic: a statement is its own
// transaction), and one addBulk enqueues their chunks. Each caller is answered at that commit
// with its own batch, while Redis takes the chunks behind the answer (DESIGN rule 3: the row is
// the record; an enqueue that fails is logged and the reconciler enqueues the open chunk); a batch
// the database refuses fails alone (the group is split).
import { randomUUID } from 'node:crypto';
import type { SmsBatch } from '../../db/schema.js';
import { auditRow } from '../core/audit.js';
import type { Deps } from '../core/deps.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { createBatcher } from '../core/batcher.js';
import { asIntake } from '../core/intake-gate.js';
import { BatchTotals, batchRow, createdEntry, idempotent, isScheduled, jobsOf, slicePricer, type BatchActor, type BatchOptions, type BatchOutcome } from './create-batch.js';
import { NOTHING_ASKED, hashesAt, heldAt, heldProbe, noneHeld, type Held } from './group-suppression.js';
import { storeGroup, type BatchColumns, type GroupRows } from './group-store.js';
import { validateSlice, type RecipientInput, type SliceResult } from './validate.js';
import { validateRecipients } from './validation-pool.js';

/** Up to this many recipients (one chunk) a JSON batch goes by group commit; larger ones by createBatch. */
export const GROUPED_MAX_RECIPIENTS = 1_000;
/** A group holds batches up to this many recipients (plus PER_BATCH each): the messages' arrays and the batches' parameters stay small. */
const GROUP_WEIGHT = 5_000;
const PER_BATCH = 10;
/** Groups written at once: one writes while the next one's batches arrive and are priced. */
const GROUPS_IN_FLIGHT = 2;
/**
 * Up to this many recipients are validated on the event loop (about 15 µs each): handing ten
 * to the pool's thread and back costs more CPU than validating them (220 µs against 145 µs a
 * batch of ten, measured), and a 2-core machine has none to spare.
 */
const INLINE_MAX_RECIPIENTS = 50;

export interface GroupedBatch {
  /** Made here, so the messages, chunk and audit entry name it in the same statement. */
  readonly id: string;
  readonly organizationId: string;
  readonly options: BatchOptions;
  readonly recipients: number;
  readonly validated: SliceResult;
  readonly actor: BatchActor;
}

const SPLITTABLE_SQLSTATE = /^(22|23|40)/;

/** Data exceptions (22), integrity violations (23: an Idempotency-Key taken meanwhile) and conflicts (40): maybe one batch's fault. */
export function oneBatchsFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SPLITTABLE_SQLSTATE.test(code);
}

function batchColumns(batch: GroupedBatch, totals: BatchTotals): BatchColumns {
  return { id: batch.id, ...batchRow(batch.organizationId, batch.options), status: isScheduled(batch.options) ? ('scheduled' as const) : ('queued' as const), ...totals.columns() };
}

/** Drops duplicates, marks what is held back, prices: as createBatch does, from what the group's lookup found. */
async function rowsOf(deps: Deps, group: readonly GroupedBatch[], held: readonly Held[], hashes: ReturnType<typeof hashesAt>): Promise<GroupRows> {
  const rows: { [K in keyof GroupRows]: GroupRows[K][number][] } = { batches: [], messages: [], chunks: [], audits: [] };
  for (const [i, batch] of group.entries()) {
    const totals = new BatchTotals();
    totals.recipients = batch.recipients;
    const among = (values: ReadonlySet<string>, hashed: ReadonlyMap<string, Buffer> | undefined) => (_db: unknown, candidates: readonly string[]) =>
      Promise.resolve({ held: new Set(candidates.filter((v) => values.has(v))), hashes: hashed ? candidates.map((v) => hashed.get(v)) : null });
    const hold = held[i] ?? { phones: new Set<string>(), emails: new Set<string>() };
    const lookups = { suppressedAmong: among(hold.phones, hashes[i]?.phones), restrictedAmong: among(hold.emails, hashes[i]?.emails) };
    const priced = await slicePricer(deps, batch.organizationId, totals, lookups)(deps.db, batch.validated);
    const columns = batchColumns(batch, totals);
    rows.batches.push(columns);
    for (const message of priced) rows.messages.push({ batchId: batch.id, organizationId: batch.organizationId, message });
    for (let chunk = 0; chunk < totals.chunks; chunk++) rows.chunks.push({ batchId: batch.id, chunk });
    rows.audits.push(auditRow(createdEntry(columns, batch.actor)));
  }
  return rows;
}

/**
 * Stores a group in one statement (priced as if nothing were held; again, with what is, when the
 * statement finds something held), then starts the addBulk of its chunks and answers the batches
 * in the group's order without waiting for it: the callers and the group's place among those in
 * flight are free at the commit.
 */
async function writeGroup(deps: Deps, group: readonly GroupedBatch[]): Promise<SmsBatch[]> {
  const probe = heldProbe(deps, group);
  // The probe's hashes are stored with the messages: the send path looks them up again without hashing.
  const hashes = hashesAt(group.length, probe);
  let stored = await storeGroup(deps.db, await rowsOf(deps, group, noneHeld(group.length), hashes), probe);
  if (stored.held) stored = await storeGroup(deps.db, await rowsOf(deps, group, heldAt(group.length, probe, stored.held), hashes), NOTHING_ASKED);
  const byId = new Map(stored.batches.map((b) => [b.id, b]));
  const answered = group.map((b) => {
    const row = byId.get(b.id);
    if (!row) throw new Error('a stored group lacks one of its batches');
    return row;
  });
  // Never rejects: if Redis is away or fails, it logs, the chunks stay open and the reconciler enqueues them.
  void enqueueAfterCommit(deps, answered.flatMap(jobsOf));
  return answered;
}

/** The group commit of one process's small JSON batches. */
export function groupedBatches(deps: Deps) {
  const commit = createBatcher<GroupedBatch, SmsBatch>({
    run: (group) => writeGroup(deps, group),
    concurrency: GROUPS_IN_FLIGHT,
    maxWeight: GROUP_WEIGHT,
    weightOf: (batch) => batch.recipients + PER_BATCH,
    mayBeOneItems: oneBatchsFault,
  });
  return {
    /** createBatch for up to GROUPED_MAX_RECIPIENTS recipients: stored when it answers, its chunk enqueued behind the answer (so `jobs` is empty). */
    create(organizationId: string, options: BatchOptions, recipients: readonly RecipientInput[], actor: BatchActor): Promise<BatchOutcome> {
      if (recipients.length > GROUPED_MAX_RECIPIENTS) throw new Error(`more than ${GROUPED_MAX_RECIPIENTS} recipients: use createBatch`);
      return asIntake(async () => {
        const outcome = await idempotent(deps, organizationId, options, async () => {
          const validated = recipients.length <= INLINE_MAX_RECIPIENTS ? validateSlice({ body: options.body, firstSeq: 0, recipients }) : await validateRecipients(options.body, recipients, 0);
          return commit({ id: randomUUID(), organizationId, options, recipients: recipients.length, validated, actor });
        });
        return { ...outcome, jobs: [] };
      });
    },
  };
}
