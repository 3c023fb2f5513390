// The audit trail: who did what to which entity, when. Never personal data: actors are kinds
// and internal ids, details are counts, codes and ids.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type ActorType = 'ops' | 'ops-readonly' | 'user' | 'api_key' | 'system' | 'data_subject';
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEntry {
  readonly actorType: ActorType;
  readonly actorId: string | null;
  readonly organizationId?: string | null;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string | null;
  readonly details?: AuditDetails;
}

/** The ops login as an audit actor. */
export function opsActor(login: string): Pick<AuditEntry, 'actorType' | 'actorId'> {
  return { actorType: 'ops', actorId: login };
}

/** An entry as its audit_log row (for a statement that writes several). */
export function auditRow(entry: AuditEntry) {
  return {
    actor_type: entry.actorType,
    actor_id: entry.actorId,
    organization_id: entry.organizationId ?? null,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    details: JSON.stringify(entry.details ?? {}),
  };
}

export async function audit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values(auditRow(entry)).execute();
}

/** Writes the entry of an action about to be taken (audit before act); its id, for recordOutcome. */
export async function auditOpened(db: Kysely<Database>, entry: AuditEntry): Promise<number> {
  const { id } = await db.insertInto('audit_log').values(auditRow(entry)).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Adds how the action ended (a status, a count) to the details of its entry. */
export async function recordOutcome(db: Kysely<Database>, id: number, outcome: AuditDetails): Promise<void> {
  await db
    .updateTable('audit_log')
    .set({ details: sql<string>`details || ${JSON.stringify(outcome)}::jsonb` })
    .where('id', '=', id)
    .execute();
}

/** The newest entries first, before `beforeId` when given, whose action starts with `actionPrefix`. */
export function latestAuditEntries(db: Kysely<Database>, options: { limit: number; beforeId?: number | undefined; actionPrefix?: string | undefined }) {
  let query = db.selectFrom('audit_log').select(['id', 'at', 'actor_type', 'actor_id', 'organization_id', 'action', 'entity_type', 'entity_id', 'details']);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.actionPrefix) query = query.where('action', 'like', `${options.actionPrefix.replace(/[\\%_]/g, '\\$&')}%`);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}
