// Privacy requests as rows (P13): filed by anyone (verified by a signed mail link or an SMS
// code) or by ops (identity checked by ops, so it goes on at once); due one calendar month
// after receipt (GDPR art. 12(3)), extendable once by up to two months with a reason. A
// verified request is processed by the privacy.process job; each step is audited without
// personal data (actor kinds and ids, the request's id, counts).
import { sql, type Kysely } from 'kysely';
import type { Database, PrivacyRequest, PrivacyRequestStatus, PrivacyRequestType } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { ConflictError, InvalidFieldError, NotFoundError } from '../core/domain-errors.js';

export const UNVERIFIED_VALID_DAYS = 7;

/** Where a complaint may also go (the public form says so; the privacy.process job too, here so the route does not load the job). */
export const SUPERVISORY_AUTHORITY = 'Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl)';
/** Statuses of a request not yet closed: it has a due date that still runs. */
export const OPEN_STATUSES = ['unverified', 'awaiting-approval', 'verified', 'processing'] as const satisfies readonly PrivacyRequestStatus[];
export const MAX_EXTENSION_MONTHS = 2;

export interface Filing {
  readonly type: PrivacyRequestType;
  readonly email: string | null;
  /** E.164 */
  readonly phone: string | null;
  readonly name: string | null;
  readonly message: string | null;
  readonly rectification: Readonly<Record<string, string>> | null;
}

type Actor = Pick<AuditEntry, 'actorType' | 'actorId'>;

export const processJob = (requestId: string): JobRequest => ({ name: 'privacy.process', payload: { requestId } });

/** Where a mail to the person may go: only an address they proved is theirs, or ops checked (P11). */
export const mailableAddress = (r: Pick<PrivacyRequest, 'email' | 'email_verified_at' | 'filed_by'>) => (r.email && (r.email_verified_at !== null || r.filed_by === 'ops') ? r.email : null);

/** Kinds of request that, verified by a number alone, wait for ops: numbers get reassigned, and the new holder gets the code. */
const RISKY_BY_NUMBER_ALONE: readonly PrivacyRequestType[] = [
  // Call details and messages of whoever held the number before.
  'access',
  // Would delete the previous holder's call records and messages (not to be undone).
  'erasure',
];

/** A request that goes on needs ops' approval first: a correction (art. 16), or access or erasure verified by a number alone. */
export function needsApproval(request: Pick<PrivacyRequest, 'type' | 'filed_by' | 'email_verified_at' | 'phone_verified_at'>): boolean {
  if (request.filed_by === 'ops') return false;
  if (request.type === 'rectification') return true;
  return RISKY_BY_NUMBER_ALONE.includes(request.type) && request.phone_verified_at !== null && request.email_verified_at === null;
}

export async function fileRequest(db: Kysely<Database>, filing: Filing, by: { ops: string } | 'public'): Promise<PrivacyRequest> {
  const row = await db
    .insertInto('privacy_requests')
    .values({
      type: filing.type,
      status: by === 'public' ? 'unverified' : 'verified',
      filed_by: by === 'public' ? 'public' : 'ops',
      filed_by_ops: by === 'public' ? null : by.ops,
      email: filing.email,
      phone: filing.phone,
      name: filing.name,
      message: filing.message,
      rectification: filing.rectification ? JSON.stringify(filing.rectification) : null,
      due_at: sql`now() + interval '1 month'`,
      verified_at: by === 'public' ? null : sql`now()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const actor: Actor = by === 'public' ? { actorType: 'data_subject', actorId: null } : { actorType: 'ops', actorId: by.ops };
  await audit(db, { ...actor, action: 'privacy.received', entityType: 'privacy_request', entityId: row.id, details: { type: row.type, filedBy: row.filed_by } });
  return row;
}

/**
 * Marks one identifier verified (a conditional move from 'unverified', so a link or code works
 * once) and decides where the request goes; the job to enqueue after commit, if it goes on now.
 */
export async function markVerified(db: Kysely<Database>, id: string, by: 'email' | 'phone'): Promise<{ status: PrivacyRequestStatus; jobs: JobRequest[] } | undefined> {
  const row = await db
    .updateTable('privacy_requests')
    .set(by === 'email' ? { email_verified_at: sql`now()` } : { phone_verified_at: sql`now()` })
    .set({ verified_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'unverified')
    .where('received_at', '>', sql<Date>`now() - ${`${UNVERIFIED_VALID_DAYS} days`}::interval`)
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  const status: PrivacyRequestStatus = needsApproval(row) ? 'awaiting-approval' : 'verified';
  await db.updateTable('privacy_requests').set({ status }).where('id', '=', id).execute();
  await audit(db, { actorType: 'data_subject', actorId: null, action: 'privacy.verified', entityType: 'privacy_request', entityId: id, details: { by, status } });
  return { status, jobs: status === 'verified' ? [processJob(id)] : [] };
}

/** Ops approve a request waiting for it; the job to enqueue after commit. */
export async function approveRequest(db: Kysely<Database>, id: string, ops: string): Promise<JobRequest[]> {
  const row = await db
    .updateTable('privacy_requests')
    .set({ status: 'verified', approved_by: ops, approved_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'awaiting-approval')
    .returning('id')
    .executeTakeFirst();
  if (!row) {
    await existingOrThrow(db, id);
    throw new ConflictError('Only a request awaiting approval can be approved.', 'params.id');
  }
  await audit(db, { actorType: 'ops', actorId: ops, action: 'privacy.approved', entityType: 'privacy_request', entityId: id });
  return [processJob(id)];
}

export async function rejectRequest(db: Kysely<Database>, id: string, ops: string, reason: string): Promise<void> {
  const row = await db
    .updateTable('privacy_requests')
    .set({ status: 'rejected', completed_at: sql`now()`, outcome: JSON.stringify({ categories: {}, kept: [], note: reason }) })
    .where('id', '=', id)
    .where('status', 'in', ['unverified', 'awaiting-approval', 'verified'])
    .returning('id')
    .executeTakeFirst();
  if (!row) {
    await existingOrThrow(db, id);
    throw new ConflictError('This request is done or being processed already.', 'params.id');
  }
  await audit(db, { actorType: 'ops', actorId: ops, action: 'privacy.rejected', entityType: 'privacy_request', entityId: id });
}

/** Extends the due date once, by 1 or 2 months from the original one; the reason is what the person is told (workers/privacy/extension.ts). */
export async function extendRequest(db: Kysely<Database>, id: string, ops: string, months: number, reason: string): Promise<PrivacyRequest> {
  if (!Number.isInteger(months) || months < 1 || months > MAX_EXTENSION_MONTHS) throw new InvalidFieldError('body.months', `1 to ${MAX_EXTENSION_MONTHS}`, `A request is extended by at most ${MAX_EXTENSION_MONTHS} months.`);
  const row = await db
    .updateTable('privacy_requests')
    .set({ due_at: sql`due_at + ${`${months} months`}::interval`, extended_at: sql`now()`, extension_reason: reason })
    .where('id', '=', id)
    .where('extended_at', 'is', null)
    .where('status', 'in', OPEN_STATUSES)
    // Art. 12(3): the person is told of an extension within the month; once overdue, it is too late.
    .where('due_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    await existingOrThrow(db, id);
    throw new ConflictError('A request is extended once at most, only while open, and before it is due (GDPR art. 12(3): the person is told within the month).', 'params.id');
  }
  await audit(db, { actorType: 'ops', actorId: ops, action: 'privacy.extended', entityType: 'privacy_request', entityId: id, details: { months } });
  return row;
}

async function existingOrThrow(db: Kysely<Database>, id: string): Promise<void> {
  const found = await db.selectFrom('privacy_requests').select('id').where('id', '=', id).executeTakeFirst();
  if (!found) throw new NotFoundError('No such privacy request.');
}

export async function findRequest(db: Kysely<Database>, id: string): Promise<PrivacyRequest | undefined> {
  return db.selectFrom('privacy_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listRequests(db: Kysely<Database>, filter: { status?: PrivacyRequestStatus; overdue?: boolean; dueWithinDays?: number; limit: number }): Promise<PrivacyRequest[]> {
  let query = db.selectFrom('privacy_requests').selectAll().orderBy('due_at').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.overdue) query = query.where('due_at', '<', sql<Date>`now()`).where('status', 'in', OPEN_STATUSES);
  if (filter.dueWithinDays !== undefined) query = query.where('due_at', '<', sql<Date>`now() + ${`${filter.dueWithinDays} days`}::interval`).where('status', 'in', OPEN_STATUSES);
  return query.execute();
}

/** Unverified requests past their week: expired, their identifiers cleared. */
export async function expireUnverified(db: Kysely<Database>): Promise<number> {
  const rows = await db
    .updateTable('privacy_requests')
    .set({ status: 'expired', email: null, phone: null, name: null, message: null, rectification: null, code_hash: null, anonymised_at: sql`now()`, completed_at: sql`now()` })
    .where('status', '=', 'unverified')
    .where('received_at', '<=', sql<Date>`now() - ${`${UNVERIFIED_VALID_DAYS} days`}::interval`)
    .returning('id')
    .execute();
  for (const row of rows) await audit(db, { actorType: 'system', actorId: null, action: 'privacy.expired', entityType: 'privacy_request', entityId: row.id });
  return rows.length;
}

/** Open and overdue requests per type (counts only): the metrics and GET /ops/status. */
export async function countOpen(db: Kysely<Database>): Promise<{ type: PrivacyRequestType; open: number; overdue: number }[]> {
  const rows = await db
    .selectFrom('privacy_requests')
    .select(['type', sql<string>`count(*)`.as('open'), sql<string>`count(*) FILTER (WHERE due_at < now())`.as('overdue')])
    .where('status', 'in', OPEN_STATUSES)
    .groupBy('type')
    .execute();
  return rows.map((r) => ({ type: r.type, open: Number(r.open), overdue: Number(r.overdue) }));
}
