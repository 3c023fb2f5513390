import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').addColumn('callback_secret', 'text', (c) => c.notNull().defaultTo(sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`)).execute();

  await db.schema
    .createTable('sms_batches')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('validating', 'scheduled', 'queued', 'sending', 'completed', 'cancelled')`),
    )
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('reference', 'text')
    .addColumn('callback_url', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('send_at', 'timestamptz')
    .addColumn('chunk_size', 'integer', (c) => c.notNull())
    .addColumn('chunks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('accepted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejections', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('encoding', 'text')
    .addColumn('segments_min', 'integer')
    .addColumn('segments_max', 'integer')
    .addColumn('segments_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost', sql`numeric(14,4)`, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('anonymised_at', 'timestamptz')
    .addUniqueConstraint('sms_batches_idempotency_key', ['organization_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('sms_batches_org_idx').on('sms_batches').columns(['organization_id', 'created_at', 'id']).execute();
  await sql`CREATE INDEX sms_batches_due_idx ON sms_batches (send_at) WHERE status = 'scheduled'`.execute(db);

  await db.schema
    .createTable('sms_chunks')
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('sms_batches.id').onDelete('cascade'))
    .addColumn('chunk', 'integer', (c) => c.notNull())
    .addColumn('done', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('sms_chunks_pkey', ['batch_id', 'chunk'])
    .execute();
  await sql`CREATE INDEX sms_chunks_open_idx ON sms_chunks (batch_id) WHERE NOT done`.execute(db);

  await db.schema
    .createTable('sms_messages')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    // No foreign key: checking it row by row costs half the time of storing a 100,000-message
    // batch. Messages are written only for the batch row made in the same transaction, and
    // deleted with it explicitly (workers/sms/create-batch.ts).
    .addColumn('batch_id', 'uuid', (c) => c.notNull())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('sms', 'email')`))
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('fields', 'jsonb')
    .addColumn('text', 'text')
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('cost', sql`numeric(10,4)`, (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled', 'suppressed', 'unknown')`),
    )
    .addColumn('error_code', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('anonymised_at', 'timestamptz')
    // The retention clock (P5): 6 months after sending, or after creation for messages never sent.
    .addColumn('retain_from', 'timestamptz', (c) => c.generatedAlwaysAs(sql`coalesce(sent_at, created_at)`).stored())
    // A message is updated two or three times on its way (claimed, sent, delivered). No index
    // covers a column those updates change, and a page keeps room for a new version of every
    // row on it (a window's claim updates neighbouring rows in one go; by the next update the
    // old versions are dead and pruned), so each update is HOT: no index entries written.
    // Indexing status (or retain_from) made every update write four or five index entries; at
    // fillfactor 70 half the updates found no room (SMPP benchmark: 54 % HOT; 100 % at 40).
    .modifyEnd(sql`WITH (fillfactor = 40)`)
    .execute();
  await db.schema.createIndex('sms_messages_batch_seq_idx').on('sms_messages').columns(['batch_id', 'seq']).unique().execute();
  // The purge's clock is retain_from (sent_at, else created_at); created_at is never later and never changes.
  await sql`CREATE INDEX sms_messages_retention_idx ON sms_messages (created_at) WHERE anonymised_at IS NULL`.execute(db);
  // A STOP reply finds the organisations that sent to its number. The send path never changes
  // the phone (only the purge does, once), so its updates stay HOT.
  await sql`CREATE INDEX sms_messages_phone_idx ON sms_messages (phone) WHERE phone IS NOT NULL`.execute(db);

  // The windows claimed (queued → sending) whose outcome is not written yet: one row per
  // window, deleted with its outcome. A row still here after SMS_SENDING_TIMEOUT means its
  // messages may or may not have reached the SMSC: they become 'unknown'.
  await db.schema
    .createTable('sms_claims')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('batch_id', 'uuid', (c) => c.notNull())
    .addColumn('first_seq', 'integer', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sms_opt_outs')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('phone_hash', 'bytea', (c) => c.notNull())
    .addColumn('masked', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sms_opt_outs_pkey', ['organization_id', 'phone_hash'])
    .execute();

  await db.schema
    .createTable('sms_outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('sms_outbox_created_idx').on('sms_outbox').column('created_at').execute();

  await db.schema
    .createTable('sms_callbacks')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('sms_batches.id').onDelete('cascade'))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued').check(sql`status IN ('queued', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_http_status', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`CREATE INDEX sms_callbacks_queued_idx ON sms_callbacks (id) WHERE status = 'queued'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sms_callbacks', 'sms_outbox', 'sms_opt_outs', 'sms_claims', 'sms_messages', 'sms_chunks', 'sms_batches']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('organizations').dropColumn('callback_secret').execute();
}
