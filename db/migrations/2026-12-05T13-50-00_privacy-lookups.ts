// Issue 15, found by `npm run bench -- privacy` (EXPLAIN of every statement of every family's
// privacy section): two lookups of a person still read a whole table. An access request reads
// the opt-outs of the number's keyed hash in every organisation (the primary key leads with
// organization_id, so it cannot serve), and an erasure finds the person's earlier requests by
// the keyed hashes they keep (an array overlap: only a GIN index serves it). Both tables grow
// with every STOP reply and every request.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX sms_opt_outs_hash_idx ON sms_opt_outs (phone_hash)`.execute(db);
  await sql`CREATE INDEX privacy_requests_hashes_idx ON privacy_requests USING gin (identifier_hashes)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX privacy_requests_hashes_idx`.execute(db);
  await sql`DROP INDEX sms_opt_outs_hash_idx`.execute(db);
}
