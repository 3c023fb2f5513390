// Validation of one slice of recipients: numbers to E.164 (mobile only), e-mail addresses,
// personalisation, encoding and segments. Pure and CPU-bound: it runs in a worker thread
// (validation-pool.ts) so the API's event loop stays free. Reasons are codes, never values.
import { z } from 'zod';
import { normalizePhone } from '../phone/e164.js';
import { analyse } from './encoding.js';
import { personalise } from './personalise.js';

const MAX_SEGMENTS = 10;
const SMS_CAPABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);
const email = z.email().max(254);

export interface RecipientInput {
  readonly phone?: string | null;
  readonly email?: string | null;
  readonly fields?: Readonly<Record<string, string>> | null;
}

export interface ValidatedMessage {
  readonly seq: number;
  readonly channel: 'sms' | 'email';
  readonly phone: string | null;
  readonly email: string | null;
  /**
   * The personalisation fields as JSON text, made here in the worker thread: a string crosses
   * back to the main thread far more cheaply than an object per recipient (structured clone).
   */
  readonly fieldsJson: string | null;
  readonly text: string;
  /** Country calling code (+31), or 'email'. */
  readonly destination: string;
  readonly encoding: 'gsm7' | 'ucs2';
  readonly segments: number;
}

export interface Rejection {
  readonly index: number;
  readonly reason: string;
}

export interface SliceResult {
  readonly messages: ValidatedMessage[];
  readonly rejections: Rejection[];
}

export interface SliceInput {
  readonly body: string;
  readonly firstSeq: number;
  readonly recipients: readonly RecipientInput[];
}

const hasNul = (value: string | null): boolean => value !== null && value.includes('\u0000');

function validateOne(body: string, seq: number, recipient: RecipientInput): ValidatedMessage | string {
  const rawPhone = recipient.phone?.trim() || null;
  const rawEmail = recipient.email?.trim() || null;
  if (!rawPhone && !rawEmail) return 'no-recipient';
  if (hasNul(rawPhone) || hasNul(rawEmail) || Object.entries(recipient.fields ?? {}).some(([key, value]) => hasNul(key) || hasNul(value))) return 'invalid-characters';
  let phone: string | null = null;
  let destination = 'email';
  if (rawPhone) {
    const parsed = normalizePhone(rawPhone);
    if (!parsed.ok) return 'invalid-phone';
    if (!parsed.type || !SMS_CAPABLE.has(parsed.type)) return 'not-mobile';
    phone = parsed.e164;
    destination = `+${parsed.countryCallingCode}`;
  }
  let address: string | null = null;
  if (rawEmail) {
    if (!email.safeParse(rawEmail).success) return 'invalid-email';
    address = rawEmail.toLowerCase();
  }
  const filled = personalise(body, recipient.fields);
  if ('missing' in filled) return `missing-field:${filled.missing}`;
  if (filled.text.trim() === '') return 'empty-text';
  const info = analyse(filled.text);
  if (info.segments > MAX_SEGMENTS) return 'too-many-segments';
  return {
    seq,
    channel: phone ? 'sms' : 'email',
    phone,
    email: address,
    fieldsJson: recipient.fields ? JSON.stringify(recipient.fields) : null,
    text: filled.text,
    destination,
    encoding: info.encoding,
    segments: info.segments,
  };
}

export function validateSlice(input: SliceInput): SliceResult {
  const messages: ValidatedMessage[] = [];
  const rejections: Rejection[] = [];
  input.recipients.forEach((recipient, i) => {
    const seq = input.firstSeq + i;
    const result = validateOne(input.body, seq, recipient);
    if (typeof result === 'string') rejections.push({ index: seq, reason: result });
    else messages.push(result);
  });
  return { messages, rejections };
}
