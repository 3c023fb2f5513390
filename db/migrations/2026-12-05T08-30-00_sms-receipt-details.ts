import type { Kysely } from 'kysely';

// What a delivery receipt says besides its state: the network's error code and the time the
// network delivered (or gave up on) the part, kept on the receipt while it waits and on the part.
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['sms_receipts', 'sms_message_parts']) {
    await db.schema.alterTable(table).addColumn('network_error', 'text').addColumn('done_at', 'timestamptz').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sms_receipts', 'sms_message_parts']) {
    await db.schema.alterTable(table).dropColumn('network_error').dropColumn('done_at').execute();
  }
}
