// Issue 16: a batch's counts per message status without reading its messages. Every statement
// that inserts, updates or deletes sms_messages appends what it changed, per batch and status,
// to sms_batch_counts (statement-level triggers over the transition tables: one aggregate per
// statement, not per row). The rows are deltas, only ever inserted, so concurrent statements
// never wait on each other and the sums stay exact; a batch's rows are folded into one per
// status from time to time (workers/sms/batch-counts.ts).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sms_batch_counts')
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('sms_batches.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sms_batch_counts_batch_idx').on('sms_batch_counts').column('batch_id').execute();

  // New rows count +1 and old rows -1 under their (batch, status): a row whose status did not
  // change cancels out. Deleted messages of a batch deleted too (retention, an abandoned upload)
  // are not counted: its counts went with it.
  await sql`
    CREATE FUNCTION sms_batch_counts_delta() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO sms_batch_counts (batch_id, status, n)
        SELECT batch_id, status, count(*) FROM new_rows GROUP BY batch_id, status;
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO sms_batch_counts (batch_id, status, n)
        SELECT batch_id, status, sum(d) FROM (
          SELECT batch_id, status, 1 AS d FROM new_rows
          UNION ALL
          SELECT batch_id, status, -1 AS d FROM old_rows
        ) AS changed
        GROUP BY batch_id, status HAVING sum(d) <> 0;
      ELSE
        INSERT INTO sms_batch_counts (batch_id, status, n)
        SELECT o.batch_id, o.status, -count(*) FROM old_rows o
        WHERE EXISTS (SELECT 1 FROM sms_batches b WHERE b.id = o.batch_id)
        GROUP BY o.batch_id, o.status;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER sms_messages_counts_insert AFTER INSERT ON sms_messages REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_batch_counts_delta()`.execute(db);
  await sql`CREATE TRIGGER sms_messages_counts_update AFTER UPDATE ON sms_messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_batch_counts_delta()`.execute(db);
  await sql`CREATE TRIGGER sms_messages_counts_delete AFTER DELETE ON sms_messages REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sms_batch_counts_delta()`.execute(db);

  await sql`
    INSERT INTO sms_batch_counts (batch_id, status, n)
    SELECT m.batch_id, m.status, count(*) FROM sms_messages m
    WHERE EXISTS (SELECT 1 FROM sms_batches b WHERE b.id = m.batch_id)
    GROUP BY m.batch_id, m.status`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const op of ['insert', 'update', 'delete']) await sql.raw(`DROP TRIGGER sms_messages_counts_${op} ON sms_messages`).execute(db);
  await sql`DROP FUNCTION sms_batch_counts_delta()`.execute(db);
  await db.schema.dropTable('sms_batch_counts').execute();
}
