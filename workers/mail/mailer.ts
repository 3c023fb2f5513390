// The mail transport every domain uses, behind the small interface its consumers need:
// SMTP when SMTP_URL is set, otherwise the local outbox so that nothing leaves a laptop.
import type { Db } from '../../db/database.js';
import type { Config } from '../core/config.js';
import { createOutboxMailer } from './outbox-mailer.js';
import { createSmtpMailer } from './smtp-mailer.js';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Mailer {
  readonly name: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

export function createMailer(config: Config, db: Db): Mailer {
  return config.mail.smtpUrl
    ? createSmtpMailer(config.mail.smtpUrl, config.mail.from)
    : createOutboxMailer(db, config.mail.from);
}
