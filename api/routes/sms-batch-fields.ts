// The fields of a batch, shared by the JSON and the CSV routes.
import type { Request } from 'express';
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { callbackTargetProblem, callbackTargetRules } from '../../workers/sms/callback-target.js';
import type { BatchOptions, BatchOutcome } from '../../workers/sms/create-batch.js';
import { optOutWayProblem } from '../../workers/sms/marketing.js';
import { badRequest } from '../problem.js';
import { scheduledTime } from '../scheduled-time.js';
import type { Reply } from '../route.js';
import { toBatch } from './sms-views.js';
import { LANGUAGES } from '../../workers/messages/catalogue.js';

/** Further ahead would let the 6-month retention clock (from creation) run out before sending. */
const MAX_SCHEDULE_DAYS = 30;
const SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$|^\+[1-9]\d{6,14}$/;

export const batchFields = z.strictObject({
  sender: z.string().regex(SENDER, 'up to 11 letters, digits and spaces (with a letter), or an E.164 number'),
  body: z.string().min(1).max(1600),
  sendAt: scheduledTime(MAX_SCHEDULE_DAYS).optional(),
  reference: z.string().max(100).optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  language: z.enum(LANGUAGES).default('nl').describe('the language of the mail that carries the SMS to a recipient with only an e-mail address'),
  purpose: z.enum(['service', 'marketing']).default('service').describe('marketing: the body must carry a way to opt out (STOP from a number; a link or a number from a name)'),
});

export function idempotencyKeyOf(req: Request): string | null {
  const key = req.get('idempotency-key') ?? null;
  if (key !== null && !/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters.', [{ field: 'header.idempotency-key', message: 'invalid' }]);
  }
  return key;
}

export async function batchOptions(deps: Deps, fields: z.output<typeof batchFields>, idempotencyKey: string | null): Promise<BatchOptions> {
  if (fields.callbackUrl) {
    const problem = await callbackTargetProblem(fields.callbackUrl, callbackTargetRules(deps.config));
    if (problem) throw badRequest(`callbackUrl ${problem}.`, [{ field: 'body.callbackUrl', message: problem }]);
  }
  const noOptOut = fields.purpose === 'marketing' ? optOutWayProblem(fields.sender, fields.body) : undefined;
  if (noOptOut) throw badRequest(`The body lacks a way to opt out: ${noOptOut}.`, [{ field: 'body.body', message: noOptOut }]);
  return {
    sender: fields.sender,
    body: fields.body,
    sendAt: fields.sendAt ? new Date(fields.sendAt) : null,
    reference: fields.reference ?? null,
    callbackUrl: fields.callbackUrl ?? null,
    purpose: fields.purpose,
    language: fields.language,
    idempotencyKey,
  };
}

/** A submitted batch (audited in its transaction): its jobs enqueued, answered 202, or 200 for an Idempotency-Key replay. */
export async function batchAccepted(deps: Deps, { batch, replayed, jobs }: BatchOutcome): Promise<Reply> {
  await enqueueAfterCommit(deps, jobs);
  return { status: replayed ? 200 : 202, body: toBatch(batch), headers: { Location: `/v1/sms/batches/${batch.id}`, ...(replayed && { 'Idempotent-Replayed': 'true' }) } };
}
