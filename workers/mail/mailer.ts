// The mail transport every domain uses, behind the small interface its consumers need:
// SMTP when SMTP_URL is set, otherwise the local outbox so that nothing leaves a laptop.
import type { SendMailOptions } from 'nodemailer';
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
  /** The display name before MAIL_FROM's address (a campaign's fromName). */
  readonly fromName?: string | null;
  readonly replyTo?: string | null;
  /** The envelope sender (MAIL FROM), e.g. a VERP return path; default MAIL_FROM's address. */
  readonly returnPath?: string;
}

export interface Mailer {
  readonly name: 'smtp' | 'outbox' | 'none';
  /** True when mail is DKIM-signed (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY). */
  readonly signs: boolean;
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

/** RFC 8058 needs the signature to cover List-Unsubscribe and List-Unsubscribe-Post: named here, not left to nodemailer's default. */
export const DKIM_HEADER_FIELDS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding',
  'In-Reply-To', 'References', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post',
].join(':');

export type DkimSettings = NonNullable<Config['mail']['dkim']>;

export const dkimOptions = (dkim: DkimSettings | undefined) => (dkim ? { dkim: { ...dkim, headerFieldNames: DKIM_HEADER_FIELDS } } : {});

/** nodemailer's message options for a mail sent as `from` (MAIL_FROM). */
export function messageOptions(from: string, mail: OutgoingMail): SendMailOptions {
  const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
  return {
    from: mail.fromName ? { name: mail.fromName, address } : from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? undefined,
    headers: mail.headers,
    ...(mail.replyTo && { replyTo: mail.replyTo }),
    ...(mail.returnPath && { envelope: { from: mail.returnPath, to: mail.to } }),
  };
}

export function createMailer(config: Config, db: Db): Mailer {
  return config.mail.smtpUrl ? createSmtpMailer(config.mail.smtpUrl, config.mail) : createOutboxMailer(db, config.mail);
}
