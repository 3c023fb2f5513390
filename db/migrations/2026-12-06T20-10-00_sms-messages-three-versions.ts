// Issue 16, eighth round: a message row has three versions before its page can be pruned (as
// taken in 'queued', claimed 'sending', then its outcome, the largest), and at fillfactor 70
// about half of the claims and outcomes found no room on the row's page: each of those wrote
// its version on another page and an entry in every one of the table's five indexes. Pruning
// the first version between the claim and the outcome cannot be counted on: it waits until no
// snapshot of the database is older than the claim (a CSV intake's transaction, a report).
// Filled to 30 % at insert, a page has room for all three versions of its rows without
// pruning (test/sms-hot-updates.test.ts: a 304-byte message row; at 35 % 80 of 600 rows still
// moved, at 70 % 355). The send path's statements alone (bench/smpp-sql.ts) took about a
// fifth less Postgres CPU per message, the platform's Postgres 17 % less over 17 same-run pairs
// (JOURNAL.md, "Issue 16, eighth round"). The cost is
// room: a batch's pages take about 2.5 times what they took at 70 % (3.3 times packed full),
// and since new rows are inserted only into pages with 70 % free, that room stays taken.
// Only pages written from now on are filled to 30 %; nothing is rewritten.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sms_messages SET (fillfactor = 30)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sms_messages SET (fillfactor = 70)`.execute(db);
}
