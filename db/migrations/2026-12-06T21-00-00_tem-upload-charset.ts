// The charset the sender named for a call-detail file (a `charset` field or query parameter,
// or the charset of its Content-Type), kept with the upload: its parse runs later, from the
// stored bytes. Null: the bytes decide (UTF-8, Windows-1252, or UTF-16 after its BOM).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tem_uploads').addColumn('charset', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tem_uploads').dropColumn('charset').execute();
}
