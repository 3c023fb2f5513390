// The keyed hashes (HMAC-SHA-256 under SUPPRESSION_KEY, as sms_opt_outs, privacy_restrictions and
// newsletter_suppressions hold them) of a message's number and address, kept from the intake's own
// check, so the send path's claim (store.ts claimWindow) finds in Postgres which claimed messages an
// opt-out, a restriction or a suppression made since holds back, and the SMPP worker hashes
// nothing. Null where the intake did not hash (nothing on the platform was to be checked then, or
// the message is older than this column): the worker hashes those itself when there is something
// to check (send-chunk.ts). A pseudonym of the number: erased and purged with it. No index: they
// are only read with the claimed rows.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sms_messages').addColumn('phone_hash', 'bytea').addColumn('email_hash', 'bytea').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sms_messages').dropColumn('phone_hash').dropColumn('email_hash').execute();
}
