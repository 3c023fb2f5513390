// mail.send: claim the row, hand it to the transport once, record the outcome.
import type { Handler } from '../core/handler.js';
import { claimMail, markMail } from './mail-messages.js';

interface SmtpFailure {
  responseCode?: number;
  command?: string;
  code?: string;
  /** Set by the SMTP mailer: the relay had begun to read the message when the failure came. */
  bodyStarted?: boolean;
}

/** Before the message body went out nothing was delivered, so a retry is safe. */
const BEFORE_DATA = new Set(['CONN', 'EHLO', 'HELO', 'AUTH', 'AUTH PLAIN', 'AUTH LOGIN', 'STARTTLS', 'MAIL FROM', 'RCPT TO', 'API']);

type Verdict = { status: 'failed' | 'queued' | 'unknown'; errorCode: string };

export function classifyMailFailure(error: unknown): Verdict {
  const e = (error ?? {}) as SmtpFailure;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined && code >= 500) return { status: 'failed', errorCode: `smtp-${code}` };
  if (code !== undefined && code >= 400) return { status: 'queued', errorCode: `smtp-${code}` };
  // No answer after the body went out (nodemailer calls a drop there 'CONN' too): maybe delivered.
  if (e.bodyStarted === true) return { status: 'unknown', errorCode: e.code?.toLowerCase() ?? 'transport-error' };
  if (e.command === undefined || BEFORE_DATA.has(e.command)) return { status: 'queued', errorCode: e.code?.toLowerCase() ?? 'transport-error' };
  return { status: 'unknown', errorCode: e.code?.toLowerCase() ?? 'transport-error' };
}

export const sendMail: Handler<'mail.send'> = async ({ messageId }, { deps, job, log }) => {
  const mail = await claimMail(deps.db, messageId);
  if (!mail) return { sent: 0, failed: 0 };
  try {
    const { messageId: providerMessageId } = await deps.mailer.send({ to: mail.to_address, subject: mail.subject, text: mail.text_body, html: mail.html_body });
    await markMail(deps.db, mail.id, { status: 'sent', providerMessageId });
    deps.metrics.mail.messages.inc({ outcome: 'sent' });
    log.info({ transport: deps.mailer.name }, 'mail sent');
    return { sent: 1, failed: 0 };
  } catch (error) {
    const verdict = classifyMailFailure(error);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const status = verdict.status === 'queued' && lastAttempt ? 'failed' : verdict.status;
    await markMail(deps.db, mail.id, { status, errorCode: verdict.errorCode });
    deps.metrics.mail.messages.inc({ outcome: status === 'queued' ? 'requeued' : status });
    if (status === 'queued') throw error; // BullMQ retries with backoff
    return { sent: 0, failed: 1 };
  }
};
