// privacy.daily: unverified requests past their week expire, and ops get one mail listing the
// open requests due within 7 days and those overdue, by id, type and due date only.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Handler } from '../core/handler.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { insertMail } from '../mail/mail-messages.js';
import { expireUnverified, listRequests } from './requests.js';

export const REMIND_WITHIN_DAYS = 7;

export async function dailyPrivacy(db: Kysely<Database>, opsEmail: string): Promise<{ expired: number; listed: number; mailId: string | undefined }> {
  const expired = await expireUnverified(db);
  const due = await listRequests(db, { dueWithinDays: REMIND_WITHIN_DAYS, limit: 500 });
  if (due.length === 0) return { expired, listed: 0, mailId: undefined };
  const now = Date.now();
  const lines = due.map((r) => `${r.due_at.getTime() < now ? 'OVERDUE ' : 'due     '} ${r.due_at.toISOString().slice(0, 10)}  ${r.type.padEnd(13)} ${r.status.padEnd(17)} ${r.id}`);
  const overdue = due.filter((r) => r.due_at.getTime() < now).length;
  const mailId = await insertMail(db, {
    organization_id: null,
    purpose: 'privacy-reminder',
    to_address: opsEmail,
    subject: `Privacyverzoeken: ${overdue} te laat, ${due.length - overdue} binnen ${REMIND_WITHIN_DAYS} dagen`,
    text_body: `Open privacy requests due within ${REMIND_WITHIN_DAYS} days or overdue (GET /ops/privacy-requests/{id}):\n\n${lines.join('\n')}\n`,
    html_body: null,
  });
  return { expired, listed: due.length, mailId };
}

export const dailyHandler: Handler<'privacy.daily'> = async (_payload, { deps }) => {
  const result = await dailyPrivacy(deps.db, deps.config.privacy.opsEmail);
  if (result.mailId) await enqueueAfterCommit(deps, [{ name: 'mail.send', payload: { messageId: result.mailId } }]);
  return { expired: result.expired, listed: result.listed };
};
