import nodemailer from 'nodemailer';
import type { Db } from '../../db/database.js';
import type { Mailer, OutgoingMail } from './mailer.js';

/**
 * Renders the complete RFC 5322 message with nodemailer, exactly as SMTP would carry it, and
 * stores it in mail_outbox (shown at /ops/outbox) instead of sending it.
 */
export function createOutboxMailer(db: Db, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    name: 'outbox',
    async send(mail: OutgoingMail) {
      const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html ?? undefined, headers: mail.headers });
      const raw = (info.message as Buffer).toString('utf8');
      await db
        .insertInto('mail_outbox')
        .values({ message_id: info.messageId, envelope_from: info.envelope.from || from, envelope_to: info.envelope.to, subject: mail.subject, raw })
        .execute();
      return { messageId: info.messageId };
    },
    close: () => Promise.resolve(),
  };
}
