// Table types, declared once. Each domain adds its tables here with its migration.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

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

export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown';

export interface MailMessageTable {
  id: Generated<string>;
  organization_id: string | null;
  /** What the mail is for (password-reset, opt-in, ...); decides its retention. */
  purpose: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: Generated<MailStatus>;
  attempts: Generated<number>;
  error_code: string | null;
  provider_message_id: string | null;
  created_at: CreatedAt;
  claimed_at: Timestamp | null;
  sent_at: Timestamp | null;
}

export interface MailOutboxTable {
  id: Generated<string>;
  message_id: string;
  envelope_from: string;
  envelope_to: string[];
  subject: string;
  raw: string;
  created_at: CreatedAt;
}

export interface Database {
  audit_log: AuditLogTable;
  mail_messages: MailMessageTable;
  mail_outbox: MailOutboxTable;
}

export type AuditLogEntry = Selectable<AuditLogTable>;
export type NewAuditLogEntry = Insertable<AuditLogTable>;
export type MailMessage = Selectable<MailMessageTable>;
export type NewMailMessage = Insertable<MailMessageTable>;
export type MailMessageUpdate = Updateable<MailMessageTable>;
export type OutboxMail = Selectable<MailOutboxTable>;
