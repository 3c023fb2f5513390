import { sql, type Kysely } from 'kysely';

// The language each person is written to in (issue 14): a user's (password-reset mail), a
// subscriber's and a pending sign-up's (newsletter mails), an SMS batch's (the mail that
// carries an SMS to a recipient with only an address). Dutch unless said otherwise.
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['users', 'newsletter_subscribers', 'newsletter_signups', 'sms_batches']) {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN language text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en'))`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['users', 'newsletter_subscribers', 'newsletter_signups', 'sms_batches']) {
    await sql`ALTER TABLE ${sql.table(table)} DROP COLUMN language`.execute(db);
  }
}
