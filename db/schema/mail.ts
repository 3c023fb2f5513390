// Table types of the mail family: mails to send and the local outbox.
import type { Generated, Insertable, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from './columns.js';

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

export interface MailDatabase {
  mail_messages: MailMessageTable;
  mail_outbox: MailOutboxTable;
}

export type MailMessage = Selectable<MailMessageTable>;
export type NewMailMessage = Insertable<MailMessageTable>;
