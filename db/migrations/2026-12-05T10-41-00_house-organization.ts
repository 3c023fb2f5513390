import { sql, type Kysely } from 'kysely';

// TGG's own organisation (issue 14): the one that sends TGG's newsletter as controller. At
// most one; it is made at the first start (workers/newsletter/house.ts), not here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE organizations ADD COLUMN house boolean NOT NULL DEFAULT false`.execute(db);
  await sql`CREATE UNIQUE INDEX organizations_one_house ON organizations ((true)) WHERE house`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE organizations DROP COLUMN house`.execute(db);
}
