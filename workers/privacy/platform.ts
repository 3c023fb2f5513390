// The platform's own organisation (TGG itself), under which its own SMS (privacy verification
// codes) are sent and billed at 0: made on first use, found by its slug after.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export const PLATFORM_SLUG = 'tgg-platform';

export async function platformOrganization(db: Kysely<Database>): Promise<string> {
  await sql`INSERT INTO organizations (name, slug) VALUES ('TGG (platform)', ${PLATFORM_SLUG}) ON CONFLICT (slug) DO NOTHING`.execute(db);
  const row = await db.selectFrom('organizations').select('id').where('slug', '=', PLATFORM_SLUG).executeTakeFirstOrThrow();
  return row.id;
}
