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

export interface OrganizationTable {
  id: Generated<string>;
  name: string;
  started_at: CreatedAt;
  /** The end of the relationship: contacts and users are deleted a grace period later (P7). */
  ended_at: Timestamp | null;
  created_at: CreatedAt;
}

export type UserRole = 'admin' | 'member';

export interface UserTable {
  id: Generated<string>;
  organization_id: string;
  username: string;
  email: string;
  /** scrypt$N$r$p$salt$hash */
  password_hash: string;
  role: UserRole;
  must_change_password: Generated<boolean>;
  compromised_at: Timestamp | null;
  password_changed_at: Generated<Date>;
  created_at: CreatedAt;
}

export type Scope = 'sms' | 'invoices' | 'mail' | 'privacy' | 'admin';

export interface ApiKeyTable {
  id: Generated<string>;
  organization_id: string;
  /** Set when the key belongs to the user who created it; revoked with that user's keys. */
  user_id: string | null;
  name: string;
  /** The visible start of the key, e.g. tgg_3kX9aQ2m */
  prefix: string;
  /** SHA-256 of the whole key. */
  secret_hash: Buffer;
  scopes: Scope[];
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface SessionTable {
  id: Generated<string>;
  user_id: string;
  token_hash: Buffer;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface PasswordResetTable {
  id: Generated<string>;
  user_id: string;
  token_hash: Buffer;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export type ContactRole = 'main' | 'billing' | 'support';

export interface ContactTable {
  id: Generated<string>;
  organization_id: string;
  role: ContactRole;
  name: string;
  email: string | null;
  /** E.164 */
  phone: string | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface Database {
  organizations: OrganizationTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  sessions: SessionTable;
  password_resets: PasswordResetTable;
  contacts: ContactTable;
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
export type Organization = Selectable<OrganizationTable>;
export type User = Selectable<UserTable>;
export type ApiKey = Selectable<ApiKeyTable>;
export type Contact = Selectable<ContactTable>;
export type NewContact = Insertable<ContactTable>;
export type ContactUpdate = Updateable<ContactTable>;
