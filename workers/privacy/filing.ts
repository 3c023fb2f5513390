// Filing a request from the public form or by ops: the identifiers checked and normalised, the
// row stored, and its verification queued (a mail link to an address; an SMS code to a
// Dutch mobile number, within the caps the caller has reserved). One transaction; the jobs to
// enqueue after commit are returned.
import type { Kysely } from 'kysely';
import type { Database, PrivacyRequest } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { InvalidFieldError } from '../core/domain-errors.js';
import { normaliseAddress } from '../newsletter/address.js';
import { normalizePhone, type PhoneResult } from '../phone/e164.js';
import { fileRequest, processJob, type Filing } from './requests.js';
import { queueVerificationCode, queueVerificationMail, type VerificationSettings } from './verification.js';

export interface FilingInput {
  readonly type: Filing['type'];
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly name?: string | undefined;
  readonly message?: string | undefined;
  readonly correction?: Readonly<Record<string, string>> | undefined;
}

export type CheckedPhone = Extract<PhoneResult, { ok: true }>;

/** A proposed correction's address and number, normalised as they are stored; throws naming the field. */
function checkCorrection(correction: Readonly<Record<string, string>>): Record<string, string> {
  const checked: Record<string, string> = { ...correction };
  if (correction.email !== undefined) {
    const email = normaliseAddress(correction.email);
    if (!email.ok) throw new InvalidFieldError('body.correctEmail', `invalid address (${email.reason})`, 'Give a valid e-mail address.');
    checked.email = email.email;
  }
  if (correction.phone !== undefined) {
    const phone = normalizePhone(correction.phone);
    if (!phone.ok) throw new InvalidFieldError('body.correctPhone', 'not a valid phone number', 'Give a valid phone number.');
    checked.phone = phone.e164;
  }
  return checked;
}

/** Checks the identifiers; throws InvalidFieldError naming the field. */
export function checkFiling(input: FilingInput): { filing: Filing; phone: CheckedPhone | null } {
  const email = input.email?.trim() ? normaliseAddress(input.email) : null;
  if (email && !email.ok) throw new InvalidFieldError('body.email', `invalid address (${email.reason})`, 'Give a valid e-mail address.');
  const phone = input.phone?.trim() ? normalizePhone(input.phone) : null;
  if (phone && !phone.ok) throw new InvalidFieldError('body.phone', 'not a valid phone number', 'Give a valid phone number.');
  if (!email && !phone) throw new InvalidFieldError('body.email', 'give an e-mail address or a phone number', 'Give an e-mail address or a phone number.');
  const correction = input.correction && Object.keys(input.correction).length > 0 ? checkCorrection(input.correction) : null;
  if (input.type === 'rectification' && !correction) throw new InvalidFieldError('body.correctName', 'give the corrected value', 'Say what should be corrected.');
  return {
    filing: { type: input.type, email: email?.ok ? email.email : null, phone: phone?.ok ? phone.e164 : null, name: input.name?.trim() || null, message: input.message?.trim() || null, rectification: correction },
    phone: phone?.ok ? phone : null,
  };
}

/** An SMS code goes only to a Dutch mobile number. */
export const isDutchMobile = (phone: CheckedPhone) => phone.countryCallingCode === '31' && (phone.type === 'MOBILE' || phone.type === 'FIXED_LINE_OR_MOBILE');

export async function filePublic(db: Kysely<Database>, checked: ReturnType<typeof checkFiling>, sendCode: boolean, settings: VerificationSettings): Promise<{ request: PrivacyRequest; jobs: JobRequest[] }> {
  return db.transaction().execute(async (trx) => {
    const request = await fileRequest(trx, checked.filing, 'public');
    const jobs = [...(await queueVerificationMail(trx, request, settings)), ...(sendCode && checked.phone ? await queueVerificationCode(trx, request, checked.phone, settings) : [])];
    return { request, jobs };
  });
}

export async function fileByOps(db: Kysely<Database>, checked: ReturnType<typeof checkFiling>, ops: string): Promise<{ request: PrivacyRequest; jobs: JobRequest[] }> {
  return db.transaction().execute(async (trx) => {
    const request = await fileRequest(trx, checked.filing, { ops });
    return { request, jobs: [processJob(request.id)] };
  });
}
