import { sql, type Kysely } from 'kysely';

// TEM part 2: the day a subscription ended (set by the member), so invoices billing it after
// that day are flagged by the reconciliation.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tem_subscriptions ADD COLUMN ended_on date`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tem_subscriptions DROP COLUMN ended_on`.execute(db);
}
