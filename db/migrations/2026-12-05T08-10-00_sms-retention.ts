// Issue 9: a batch's reference and callback URL go with its template after 6 months, and
// status callbacks (their payload holds the reference) are deleted after 30 days. Batches
// anonymised before lose those two now; the purge finds callbacks by their age.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`UPDATE sms_batches SET reference = NULL, callback_url = NULL WHERE anonymised_at IS NOT NULL`.execute(db);
  await db.schema.createIndex('sms_callbacks_created_idx').on('sms_callbacks').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sms_callbacks_created_idx').execute();
}
