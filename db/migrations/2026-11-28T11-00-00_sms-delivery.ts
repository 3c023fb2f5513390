import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sms_message_parts')
    .addColumn('message_id', 'bigint', (c) => c.notNull().references('sms_messages.id').onDelete('cascade'))
    .addColumn('part', 'smallint', (c) => c.notNull())
    .addColumn('smsc_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('submitted'))
    .addPrimaryKeyConstraint('sms_message_parts_pkey', ['message_id', 'part'])
    .execute();
  await sql`CREATE INDEX sms_message_parts_id_idx ON sms_message_parts (smsc_id)`.execute(db);

  await db.schema
    .createTable('sms_receipts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('smsc_id', 'text', (c) => c.notNull())
    // Canonical (receiptKey); its other readings (hex for decimal) are derived when matching.
    .addColumn('stat', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('applied_at', 'timestamptz')
    .execute();
  await sql`CREATE INDEX sms_receipts_pending_idx ON sms_receipts (received_at) WHERE applied_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sms_receipts').execute();
  await db.schema.dropTable('sms_message_parts').execute();
}
