// STOP the Dutch way (issue 11, items 11-15): a batch's purpose, STOP keywords per organisation,
// the opt-out confirmation text, concatenated replies waiting for their other parts, the
// replies that are not a stop word, and when each number last got a confirmation.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sms_batches')
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('service').check(sql`purpose IN ('service', 'marketing', 'opt-out-confirmation')`))
    .execute();
  await db.schema.alterTable('organizations').addColumn('sms_opt_out_confirmation', 'text').execute();

  // One keyword names one organisation on the whole platform: "STOP <keyword>" must be unambiguous
  // whichever of the shared sending numbers it is sent to.
  await db.schema
    .createTable('sms_keywords')
    .addColumn('keyword', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('sms_keywords_org_idx').on('sms_keywords').column('organization_id').execute();

  // Parts of a concatenated reply, until the last one is in (or for a day). The key is a keyed
  // hash of sender, destination, reference and part count: no number is stored.
  await db.schema
    .createTable('sms_reply_parts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('concat_key', 'bytea', (c) => c.notNull())
    .addColumn('part', 'smallint', (c) => c.notNull())
    .addColumn('total', 'smallint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('sms_reply_parts_key', ['concat_key', 'part'])
    .execute();
  await db.schema.createIndex('sms_reply_parts_received_idx').on('sms_reply_parts').column('received_at').execute();

  await db.schema
    .createTable('sms_replies')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('batch_id', 'uuid')
    .addColumn('message_id', 'bigint')
    .addColumn('message_seq', 'integer')
    .addColumn('phone', 'text')
    .addColumn('text', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('anonymised_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sms_replies_org_idx').on('sms_replies').columns(['organization_id', 'id']).execute();
  await sql`CREATE INDEX sms_replies_retention_idx ON sms_replies (received_at) WHERE anonymised_at IS NULL`.execute(db);

  await db.schema
    .createTable('sms_opt_out_confirmations')
    .addColumn('phone_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sms_opt_out_confirmations', 'sms_replies', 'sms_reply_parts', 'sms_keywords']) await db.schema.dropTable(table).execute();
  await db.schema.alterTable('organizations').dropColumn('sms_opt_out_confirmation').execute();
  await db.schema.alterTable('sms_batches').dropColumn('purpose').execute();
}
