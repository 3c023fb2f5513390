import nodemailer from 'nodemailer';
import type { Db } from '../../db/database.js';
import type { Config } from '../core/config.js';
import { dkimOptions, messageOptions, type Mailer, type OutgoingMail } from './mailer.js';

/**
 * Renders the complete RFC 5322 message with nodemailer, exactly as SMTP would carry it (signed
 * when DKIM is configured), and stores it in mail_outbox (shown at /ops/outbox) instead of sending it.
 */
export function createOutboxMailer(db: Db, settings: Pick<Config['mail'], 'from' | 'dkim'>): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', ...dkimOptions(settings.dkim) });
  return {
    name: 'outbox',
    signs: settings.dkim !== undefined,
    async send(mail: OutgoingMail) {
      const info = await transport.sendMail(messageOptions(settings.from, mail));
      const raw = (info.message as Buffer).toString('utf8');
      await db
        .insertInto('mail_outbox')
        .values({ message_id: info.messageId, envelope_from: info.envelope.from || settings.from, envelope_to: info.envelope.to, subject: mail.subject, raw })
        .execute();
      return { messageId: info.messageId };
    },
    close: () => Promise.resolve(),
  };
}
