// Table types of the core: the audit trail every family writes to.
import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt } from './columns.js';

export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  /** ops, user, api_key, system, data_subject: a kind of actor, never a person's name. */
  actor_type: string;
  /** An internal id (user id, key id, ops login name), never an e-mail address. */
  actor_id: string | null;
  organization_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** Counts, codes and ids only. */
  details: ColumnType<Record<string, string | number | boolean | null>, string | undefined, string>;
}

/** One run of the retention purge: counts per category, never rows. */
export interface RetentionRunTable {
  id: Generated<string>;
  started_at: CreatedAt;
  /** Null while it runs, or for ever when it was killed half-way (the next run finishes its work). */
  finished_at: Date | null;
  removed: ColumnType<Record<string, number>, string | undefined, string>;
}

export interface CoreDatabase {
  audit_log: AuditLogTable;
  retention_runs: RetentionRunTable;
}
