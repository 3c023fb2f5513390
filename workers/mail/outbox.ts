// Reading the local outbox (what createOutboxMailer writes): ops see it at /ops/outbox.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { NotFoundError } from '../core/domain-errors.js';

/** The newest outbox mail first, without the message itself. */
export function latestOutboxMail(db: Kysely<Database>, limit: number) {
  return db.selectFrom('mail_outbox').select(['id', 'envelope_to', 'subject', 'created_at']).orderBy('created_at', 'desc').limit(limit).execute();
}

/** One outbox mail as the raw message. */
export async function rawOutboxMail(db: Kysely<Database>, id: string): Promise<string> {
  const row = await db.selectFrom('mail_outbox').select('raw').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('No such outbox mail.');
  return row.raw;
}
