// Verifying the person behind a public request: a signed link by mail (GET shows a button, the
// POST verifies, once), or for a number alone a 6-digit code by SMS through the SMS family's
// provider, Dutch mobile numbers only. The code is kept as a keyed hash, valid 30 minutes,
// 5 tries. The caps per number and per prefix a day are taken by the caller (api/), in Redis.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, PrivacyRequest } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { insertMail } from '../mail/mail-messages.js';
import { queueSingleSms } from '../sms/single-sms.js';
import { bilingualMail, both } from './bilingual.js';
import { platformOrganization } from './platform.js';
import { UNVERIFIED_VALID_DAYS, markVerified } from './requests.js';
import { signLink, verifyLink } from './signed-link.js';
import { keysOf, type Keyring } from '../newsletter/signed-id.js';

export const CODE_VALID_MINUTES = 30;
export const CODE_ATTEMPTS = 5;

export interface VerificationSettings {
  readonly secretKey: string;
  readonly publicUrl: string;
  readonly smsSender: string;
}

const codeHash = (secretKey: string, id: string, code: string) => createHmac('sha256', secretKey).update(`privacy-code:${id}:${code}`).digest();

/** The verification mail (in the caller's transaction); the job to enqueue after commit. */
export async function queueVerificationMail(db: Kysely<Database>, request: PrivacyRequest, settings: VerificationSettings): Promise<JobRequest[]> {
  if (!request.email) return [];
  const expires = new Date(request.received_at.getTime() + UNVERIFIED_VALID_DAYS * 86_400_000);
  const link = `${settings.publicUrl}/public/privacy-requests/verify?token=${signLink(settings.secretKey, 'privacy-verify', request.id, expires)}`;
  const mail = bilingualMail((m) => m.verifyMail({ link, days: UNVERIFIED_VALID_DAYS, what: m.confirm.what[request.type] }));
  const mailId = await insertMail(db, { organization_id: null, purpose: 'privacy-verification', to_address: request.email, subject: mail.subject, text_body: mail.text, html_body: null });
  return [{ name: 'mail.send', payload: { messageId: mailId } }];
}

/** Verifies by the mailed link; undefined for a forged, expired or used one. */
export async function verifyByLink(db: Kysely<Database>, keys: Keyring, token: string) {
  const id = verifyLink(keys, 'privacy-verify', token);
  if (!id) return undefined;
  return db.transaction().execute((trx) => markVerified(trx, id, 'email'));
}

/** A new code by SMS (in the caller's transaction); the chunk job to enqueue after commit. */
export async function queueVerificationCode(db: Kysely<Database>, request: PrivacyRequest, phone: { e164: string; countryCallingCode: string }, settings: VerificationSettings): Promise<JobRequest[]> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await db
    .updateTable('privacy_requests')
    .set({ code_hash: codeHash(settings.secretKey, request.id, code), code_expires_at: sql`now() + ${`${CODE_VALID_MINUTES} minutes`}::interval`, code_attempts: 0 })
    .where('id', '=', request.id)
    .execute();
  const organizationId = await platformOrganization(db);
  return queueSingleSms(db, { organizationId, purpose: 'service', sender: settings.smsSender, text: both((m) => m.codeSms({ code, minutes: CODE_VALID_MINUTES })), phone });
}

/** Verifies by the SMS code (hashed under SECRET_KEY, or a former key: a code sent just before a rotation); undefined when the code is wrong, expired, used or tried too often. */
export async function verifyByCode(db: Kysely<Database>, keys: Keyring, id: string, code: string) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('privacy_requests')
      .set({ code_attempts: sql`code_attempts + 1` })
      .where('id', '=', id)
      .where('status', '=', 'unverified')
      .where('code_hash', 'is not', null)
      .where('code_expires_at', '>', sql<Date>`now()`)
      .where('code_attempts', '<', CODE_ATTEMPTS)
      .returning(['code_hash'])
      .executeTakeFirst();
    if (!row?.code_hash) return undefined;
    const stored = row.code_hash;
    const matches = (key: string) => {
      const expected = codeHash(key, id, code);
      return expected.length === stored.length && timingSafeEqual(expected, stored);
    };
    if (!keysOf(keys).some(matches)) return undefined;
    await trx.updateTable('privacy_requests').set({ code_hash: null, code_expires_at: null }).where('id', '=', id).execute();
    return markVerified(trx, id, 'phone');
  });
}
