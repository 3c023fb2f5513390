// Issue 16, ninth round: a part's SMSC id is looked up only by a receipt, and only a part still
// waiting for one ('submitted', or 'unknown', which a later receipt can still settle) can take
// it. With a fast SMSC most parts are stored with their receipt already applied (it rode with
// its window's outcome, workers/sms/providers/smpp.ts): final at insert, their entry in the
// whole-table index on smsc_id was never read, and it was a third of the WAL a part wrote
// (heap, primary key, this index). Indexed only while waiting, those parts write none; the
// send path's statements alone (bench/smpp-sql.ts) took about 1.2 ms less Postgres CPU per
// 1,000 messages (JOURNAL.md, "Issue 16, ninth round").
// What changes: a receipt for a part already delivered, expired, undeliverable or rejected
// (a copy an SMSC sends again after a lost deliver_sm_resp) no longer finds it: it waits in
// sms_receipts and is set aside after 10 minutes, as one for no part is; its part and message
// keep their first final state (before, a contradicting copy rewrote the part's state). One
// case is looser than before: such a copy whose id, read another way (hex for decimal), is
// the id of a part still waiting is taken by that part, where before the final part's exact
// id won. It needs a copy of a receipt and a collision of the two readings of one SMSC's ids
// with a part still waiting (decimal ids read as hex are far ahead of any counter).
// workers/sms/receipts.ts looks parts up with the same predicate (WAITING_PART there), which
// the planner needs to use this index. Built in the migration's transaction: a scan of the
// parts, writes to them wait for it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX sms_message_parts_waiting_idx ON sms_message_parts (smsc_id) WHERE state IN ('submitted', 'unknown')`.execute(db);
  await sql`DROP INDEX sms_message_parts_id_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX sms_message_parts_id_idx ON sms_message_parts (smsc_id)`.execute(db);
  await sql`DROP INDEX sms_message_parts_waiting_idx`.execute(db);
}
