// Table types of the identity family: organisations, their users, keys, sessions and contacts.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Language, Timestamp } from './columns.js';

export interface OrganizationTable {
  id: Generated<string>;
  name: string;
  /** Unique, derived from the name at creation: what members log in with, with the username. */
  slug: string;
  started_at: CreatedAt;
  /** The end of the relationship: contacts and users are deleted a grace period later (P7). */
  ended_at: Timestamp | null;
  created_at: CreatedAt;
  /** HMAC key of the SMS status callbacks sent to this organisation. */
  callback_secret: Generated<string>;
  /** The text that confirms an opt-out by SMS reply; null: the Dutch default. */
  sms_opt_out_confirmation: ColumnType<string | null, string | null | undefined, string | null>;
  /** TGG's own organisation (at most one): it sends TGG's newsletter. */
  house: Generated<boolean>;
  /** Where privacy notices about this member's data are POSTed (signed), if set. */
  privacy_callback_url: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The language mails to this person are written in (workers/messages/). */
  language: Generated<Language>;
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
  /** Who made the key (null when unknown: made before this was recorded, or that creator is deleted). */
  created_by_user_id: string | null;
  created_by_session_id: string | null;
  created_by_key_id: string | null;
  /** The ops login that made it (an organisation's first key). */
  created_by_ops: string | null;
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

export interface IdentityDatabase {
  organizations: OrganizationTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  sessions: SessionTable;
  password_resets: PasswordResetTable;
  contacts: ContactTable;
}

export type Organization = Selectable<OrganizationTable>;
export type User = Selectable<UserTable>;
export type ApiKey = Selectable<ApiKeyTable>;
export type Contact = Selectable<ContactTable>;
