// Queries of the transactional mail queue (mail_messages). A row is the record; the mail.send
// job only carries its id. State moves by conditional updates so a retried job never sends twice.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, MailMessage, NewMailMessage } from '../../db/schema.js';

/** A row left in 'sending' this long may or may not have gone out: it becomes 'unknown'. */
export const SENDING_TIMEOUT = '10 minutes';

export async function insertMail(db: Kysely<Database>, mail: Omit<NewMailMessage, 'status' | 'attempts'>): Promise<string> {
  const row = await db.insertInto('mail_messages').values(mail).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Claims a queued mail for sending; undefined when another worker has it or it is done. */
export async function claimMail(db: Db, id: string): Promise<MailMessage | undefined> {
  return db
    .updateTable('mail_messages')
    .set({ status: 'sending', claimed_at: sql`now()`, attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}

export async function markMail(db: Db, id: string, outcome: { status: 'sent'; providerMessageId: string } | { status: 'queued' | 'failed' | 'unknown'; errorCode: string }): Promise<void> {
  await db
    .updateTable('mail_messages')
    .set(
      outcome.status === 'sent'
        ? { status: 'sent', sent_at: sql`now()`, provider_message_id: outcome.providerMessageId, error_code: null }
        : { status: outcome.status, error_code: outcome.errorCode },
    )
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

export async function queuedMailIds(db: Kysely<Database>, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('mail_messages').select('id').where('status', '=', 'queued').orderBy('created_at').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Rows stuck in 'sending' past the timeout become 'unknown' (ARCHITECTURE.md, rule 4), never re-sent. */
export async function expireSendingMail(db: Kysely<Database>): Promise<number> {
  const result = await db
    .updateTable('mail_messages')
    .set({ status: 'unknown', error_code: 'sending-timeout' })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', sql<Date>`now() - ${SENDING_TIMEOUT}::interval`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
