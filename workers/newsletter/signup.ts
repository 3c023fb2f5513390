// Double opt-in (issue 14): a public sign-up stores a pending row and mails a signed link;
// only following it (a POST, see api/routes/newsletter-public.ts) makes a subscriber, with
// its consent. An address already subscribed, unsubscribed, suppressed (suppression.ts) or
// held by a privacy restriction gets no mail and the caller cannot tell the difference.
// Unconfirmed sign-ups expire (SIGNUP_VALID_DAYS; the purge deletes them, see retention.ts).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { NewsletterList } from '../../db/schema.js';
import { insertMail } from '../mail/mail-messages.js';
import { messages, type Language } from '../messages/catalogue.js';
import type { Keyring } from './signed-id.js';
import { signupToken, signupIdOf } from './signup-token.js';
import { restrictedHashes } from '../sms/opt-outs.js';
import { isSuppressed, suppressionHash } from './suppression.js';

export const SIGNUP_VALID_DAYS = 7;

export interface SignUp {
  readonly email: string;
  readonly name: string | null;
  readonly ipTruncated: string;
  readonly language: Language;
}

export interface SignupSettings {
  readonly secretKey: string;
  readonly suppressionKey: string;
  readonly publicUrl: string;
  readonly privacyStatement: string;
}

function confirmationMail(list: NewsletterList, signup: SignUp, link: string) {
  const mail = messages(signup.language).optInMail({ list: list.name, link, days: SIGNUP_VALID_DAYS });
  return { subject: mail.subject, text_body: mail.text, html_body: null };
}

/** Stores the sign-up and its confirmation mail; the id of the mail to enqueue after commit, if any. */
export async function signUp(db: Kysely<Database>, list: NewsletterList, signup: SignUp, settings: SignupSettings): Promise<string | undefined> {
  return db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom('newsletter_subscribers').select('status').where('list_id', '=', list.id).where('email', '=', signup.email).executeTakeFirst();
    if (known || (await isSuppressed(trx, settings.suppressionKey, list.organization_id, signup.email))) return undefined;
    // A privacy restriction (art. 18: stored only, no mail) holds a sign-up's mail back too: anyone can type the address.
    if ((await restrictedHashes(trx, [suppressionHash(settings.suppressionKey, signup.email)])).length > 0) return undefined;
    const row = await trx
      .insertInto('newsletter_signups')
      .values({ organization_id: list.organization_id, list_id: list.id, email: signup.email, name: signup.name, ip_truncated: signup.ipTruncated, privacy_statement: settings.privacyStatement, language: signup.language })
      .onConflict((oc) => oc.columns(['list_id', 'email']).doUpdateSet({ name: sql`excluded.name`, language: sql`excluded.language`, ip_truncated: sql`excluded.ip_truncated`, privacy_statement: sql`excluded.privacy_statement`, created_at: sql`now()` }))
      .returning('id')
      .executeTakeFirstOrThrow();
    const link = `${settings.publicUrl}/public/newsletter/confirm?token=${signupToken(settings.secretKey, row.id)}&lang=${signup.language}`;
    return insertMail(trx, { organization_id: list.organization_id, purpose: 'newsletter-opt-in', to_address: signup.email, ...confirmationMail(list, signup, link) });
  });
}

export type ConfirmOutcome = 'confirmed' | 'invalid';

/** Makes the sign-up a subscriber with its consent (method sign-up, basis consent); 'invalid' for a bad, used or expired token. */
export async function confirmSignup(db: Kysely<Database>, keys: { secretKeys: Keyring; suppressionKey: string }, token: string): Promise<ConfirmOutcome> {
  const id = signupIdOf(keys.secretKeys, token);
  if (!id) return 'invalid';
  return db.transaction().execute(async (trx) => {
    const signup = await trx
      .deleteFrom('newsletter_signups')
      .where('id', '=', id)
      .where('created_at', '>', sql<Date>`now() - ${`${SIGNUP_VALID_DAYS} days`}::interval`)
      // A sign-up for an organisation whose relationship ended since makes no subscriber.
      .where((eb) => eb.not(eb.exists(eb.selectFrom('organizations as o').select('o.id').whereRef('o.id', '=', 'newsletter_signups.organization_id').where('o.ended_at', 'is not', null))))
      .returningAll()
      .executeTakeFirst();
    if (!signup) return 'invalid';
    // Suppressed since signing up (an unsubscribe from another list, a bounce): not subscribed again.
    if (await isSuppressed(trx, keys.suppressionKey, signup.organization_id, signup.email)) return 'confirmed';
    const subscriber = await trx
      .insertInto('newsletter_subscribers')
      .values({ organization_id: signup.organization_id, list_id: signup.list_id, email: signup.email, name: signup.name, language: signup.language })
      .onConflict((oc) => oc.columns(['list_id', 'email']).doUpdateSet({ status: 'subscribed', unsubscribed_at: null, language: signup.language, name: sql`coalesce(excluded.name, newsletter_subscribers.name)` }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('newsletter_consents')
      .values({
        subscriber_id: subscriber.id,
        organization_id: signup.organization_id,
        list_id: signup.list_id,
        method: 'sign-up',
        privacy_statement: signup.privacy_statement,
        ip_truncated: signup.ip_truncated,
        legal_basis: 'consent',
      })
      .execute();
    return 'confirmed';
  });
}
