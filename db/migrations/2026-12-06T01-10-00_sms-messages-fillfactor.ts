// Issue 16: a message row is updated twice as it is sent (queued → sending by the claim, then
// its outcome), and no indexed column changes, yet packed full its pages had no room for the new
// row versions: each update wrote a version on another page and an entry in every index. With
// room left on each page (fillfactor 70) most of them are HOT. The send path's statements alone
// (bench/smpp-sql.ts, 40,000 messages, two rounds each, load 10-20): Postgres CPU per 1,000
// messages 49-63 → 40-51 ms (claim 21-26 → 15-20 ms), 35-64 % of the updates HOT instead of
// none; the table takes about 1.3 times the room (fillfactor 50: no faster, twice the room).
// Only pages written from now on are filled to 70 %; nothing is rewritten.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sms_messages SET (fillfactor = 70)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE sms_messages RESET (fillfactor)`.execute(db);
}
