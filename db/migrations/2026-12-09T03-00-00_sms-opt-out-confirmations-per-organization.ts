// An opt-out confirmation is limited to one a day per organisation and number, not per number:
// a STOP sent to a second organisation the same day is confirmed by that one too. The rows of
// the last day get the organisation of the confirmation they counted (its batch of purpose
// 'opt-out-confirmation' holds the same keyed hash); older rows no longer limit anything and
// go. A row whose batch does not tell (its message's hash not kept: sent before messages kept
// one, or erased since) holds for every organisation that has the number opted out, as it held
// for all before: dropped, it let each of them confirm once more the same day.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sms_opt_out_confirmations')
    .addColumn('organization_id', 'uuid', (c) => c.references('organizations.id').onDelete('cascade'))
    .execute();
  await sql`DELETE FROM sms_opt_out_confirmations WHERE sent_at <= now() - interval '1 day'`.execute(db);
  await sql`
    UPDATE sms_opt_out_confirmations c SET organization_id = sent.organization_id
    FROM (
      SELECT DISTINCT ON (m.phone_hash) m.phone_hash, b.organization_id
      FROM sms_batches b JOIN sms_messages m ON m.batch_id = b.id
      WHERE b.purpose = 'opt-out-confirmation' AND b.created_at > now() - interval '1 day' AND m.phone_hash IS NOT NULL
      ORDER BY m.phone_hash, b.created_at DESC
    ) sent
    WHERE sent.phone_hash = c.phone_hash`.execute(db);
  await sql`ALTER TABLE sms_opt_out_confirmations DROP CONSTRAINT sms_opt_out_confirmations_pkey`.execute(db);
  await sql`
    INSERT INTO sms_opt_out_confirmations (organization_id, phone_hash, sent_at)
    SELECT o.organization_id, c.phone_hash, c.sent_at
    FROM sms_opt_out_confirmations c JOIN sms_opt_outs o ON o.phone_hash = c.phone_hash
    WHERE c.organization_id IS NULL`.execute(db);
  await sql`DELETE FROM sms_opt_out_confirmations WHERE organization_id IS NULL`.execute(db);
  await sql`ALTER TABLE sms_opt_out_confirmations ALTER COLUMN organization_id SET NOT NULL`.execute(db);
  await sql`ALTER TABLE sms_opt_out_confirmations ADD PRIMARY KEY (organization_id, phone_hash)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Back to one row per number: its latest confirmation.
  await sql`
    DELETE FROM sms_opt_out_confirmations c USING sms_opt_out_confirmations later
    WHERE later.phone_hash = c.phone_hash AND (later.sent_at, later.organization_id) > (c.sent_at, c.organization_id)`.execute(db);
  await sql`ALTER TABLE sms_opt_out_confirmations DROP CONSTRAINT sms_opt_out_confirmations_pkey`.execute(db);
  await db.schema.alterTable('sms_opt_out_confirmations').dropColumn('organization_id').execute();
  await sql`ALTER TABLE sms_opt_out_confirmations ADD PRIMARY KEY (phone_hash)`.execute(db);
}
