// Extending a request's due date (GDPR art. 12(3)): once, by at most two months, and the person
// is told why, by mail to an address that was verified (or that ops checked). A request known
// only by a number is told by ops, as the person wrote or phoned: the answer says so.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { insertMail } from '../mail/mail-messages.js';
import { bilingualMail } from './bilingual.js';
import { extendRequest, mailableAddress } from './requests.js';

/** The day as a person reads it in the Netherlands: YYYY-MM-DD in Europe/Amsterdam. */
const dayOf = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(at);

export async function extendAndTell(db: Kysely<Database>, id: string, ops: string, months: number, reason: string): Promise<{ dueAt: Date; told: 'mail' | 'ops'; jobs: JobRequest[] }> {
  return db.transaction().execute(async (trx) => {
    const row = await extendRequest(trx, id, ops, months, reason);
    const to = mailableAddress(row);
    if (!to) return { dueAt: row.due_at, told: 'ops', jobs: [] };
    const mail = bilingualMail((m) => m.extensionMail({ dueDate: dayOf(row.due_at), reason }));
    const mailId = await insertMail(trx, { organization_id: null, purpose: 'privacy-extension', to_address: to, subject: mail.subject, text_body: mail.text, html_body: null });
    return { dueAt: row.due_at, told: 'mail', jobs: [{ name: 'mail.send', payload: { messageId: mailId } }] };
  });
}
