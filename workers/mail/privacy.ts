// The mail family's part of privacy requests: transactional mail sent to the person's address
// and its copies in the local outbox.
import { sql } from 'kysely';
import { item, NOTHING, personWhere, type PrivacyReach, type Subject } from '../privacy/reach.js';

const inEnvelope = (s: Subject) => sql<boolean>`envelope_to && ${[...s.emails]}::text[]`;

export const mailPrivacy: PrivacyReach = {
  tables: ['mail_messages', 'mail_outbox'],
  identifiers: [{ table: 'mail_messages', column: 'to_address', kind: 'email' }],
  async find(db, s) {
    const mails = await db.selectFrom('mail_messages').select(['id', 'organization_id', 'purpose', 'to_address', 'subject', 'status', 'created_at', 'sent_at']).where(personWhere(s, { email: 'to_address' })).execute();
    return {
      'mail.transactional': mails.map((m) => item('mail_messages', m, { purpose: m.purpose, to: m.to_address, subject: m.subject, status: m.status, createdAt: m.created_at, sentAt: m.sent_at })),
    };
  },
  async erase(trx, s) {
    const mails = await trx.deleteFrom('mail_messages').where(personWhere(s, { email: 'to_address' })).returning('id').execute();
    const outbox = s.emails.length === 0 ? [] : await trx.deleteFrom('mail_outbox').where(inEnvelope(s)).returning('id').execute();
    return { ...NOTHING, counts: { 'mail.transactional': { erased: mails.length }, 'mail.outbox': { erased: outbox.length } } };
  },
  async restrict(trx, s) {
    const held = await trx.updateTable('mail_messages').set({ status: 'failed', error_code: 'restricted' }).where('status', '=', 'queued').where(personWhere(s, { email: 'to_address' })).returning('id').execute();
    return { ...NOTHING, counts: { 'mail.transactional': { restricted: held.length } } };
  },
};
