// Issue 16: the foreign key from sms_message_parts to sms_messages doubled the cost of inserting a
// window's parts (500 inserts of 200 parts: 703-760 ms with it, 319-387 ms without; about 3.7 µs a
// part, 5-6 % of Postgres's CPU per message sent). Its ON DELETE CASCADE is now the code's job:
// every statement that deletes sms_messages rows deletes their parts with them
// (deleteBatchMessages in workers/sms/store.ts; test/sms-message-parts-delete.test.ts).
// A worker of the release before, still running during the rolling deploy, deletes messages only
// of batches still 'validating', which were never sent and so have no parts: it leaves none behind.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sms_message_parts').dropConstraint('sms_message_parts_message_id_fkey').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Parts whose message is gone would fail the constraint: they are orphans, removed first.
  await sql`DELETE FROM sms_message_parts p WHERE NOT EXISTS (SELECT 1 FROM sms_messages m WHERE m.id = p.message_id)`.execute(db);
  await db.schema
    .alterTable('sms_message_parts')
    .addForeignKeyConstraint('sms_message_parts_message_id_fkey', ['message_id'], 'sms_messages', ['id'], (c) => c.onDelete('cascade'))
    .execute();
}
