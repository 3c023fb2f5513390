// Public privacy requests (issue 15): the form (NL/EN), filing (form or JSON; the same answer
// whether the person is known or not; rate limited per IP, per address and per number; SMS
// codes capped per number and per number prefix a day so the form cannot pump SMS), the
// signed verification link (GET shows a button, POST verifies once), the SMS code, and the
// access export behind its signed link.
import type { Request } from 'express';
import { z } from 'zod';
import { PRIVACY_REQUEST_TYPES } from '../../db/schema.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { mailboxOf } from '../../workers/newsletter/address.js';
import { findExport } from '../../workers/privacy/access-export.js';
import { SUPERVISORY_AUTHORITY, findRequest } from '../../workers/privacy/requests.js';
import { checkFiling, filePublic, isDutchMobile } from '../../workers/privacy/filing.js';
import { verifyLink } from '../../workers/privacy/signed-link.js';
import { verifyByCode, verifyByLink } from '../../workers/privacy/verification.js';
import { throttledNetwork } from '../client-ip.js';
import { badRequest, notFound } from '../problem.js';
import { createLimiter, limiterKey, reserve, type Limiter } from '../rate-limit.js';
import { defineRoute, type Route } from '../route.js';
import { HONEYPOT } from './newsletter-pages.js';
import { invalidCodePage, invalidPrivacyLinkPage, receivedPage, requestFormPage, verifiedPage, verifyButtonPage } from './privacy-pages.js';

export const REQUESTS_PER_IP_PER_HOUR = 10;
export const REQUESTS_PER_IDENTIFIER_PER_DAY = 5;
const DAY = 86_400;
const html = { description: 'a page', schema: z.string(), contentType: 'text/html' } as const;
const common = { tags: ['public'], security: 'none' } as const;
const fromForm = (req: Request) => Boolean(req.is('application/x-www-form-urlencoded'));
const tokenSchema = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max).optional();

const filingBody = z.strictObject({
  type: z.enum(PRIVACY_REQUEST_TYPES),
  email: text(320),
  phone: text(40),
  name: text(200),
  message: text(2000),
  correctName: text(200),
  correctEmail: text(320),
  correctPhone: text(40),
  [HONEYPOT]: text(500),
});

export const correctionOf = (body: { correctName?: string | undefined; correctEmail?: string | undefined; correctPhone?: string | undefined }) =>
  Object.fromEntries(Object.entries({ name: body.correctName, email: body.correctEmail, phone: body.correctPhone }).filter((e): e is [string, string] => Boolean(e[1]?.trim())));

const received = (id: string, type: string) => ({
  status: 'received',
  id,
  detail: 'If we can reach you, a link (by mail) or a code (by SMS) to confirm the request is on its way; we answer within one month of receipt.',
  ...(type === 'complaint' ? { supervisoryAuthority: SUPERVISORY_AUTHORITY } : {}),
});

export function privacyPublicRoutes(deps: Deps): Route[] {
  const { config } = deps;
  const redis = deps.queues.connection;
  const limiter = (name: string, points: number, seconds: number): Limiter => createLimiter(redis, `${config.queuePrefix}:ratelimit:privacy-${name}`, points, seconds);
  const perIp = limiter('ip', REQUESTS_PER_IP_PER_HOUR, 3600);
  const perIdentifier = limiter('identifier', REQUESTS_PER_IDENTIFIER_PER_DAY, DAY);
  const smsPerNumber = limiter('sms-number', config.privacy.smsPerNumberPerDay, DAY);
  const smsPerPrefix = limiter('sms-prefix', config.privacy.smsPerPrefixPerDay, DAY);
  const key = (kind: string, value: string) => limiterKey(config.secretKey, `privacy-${kind}`, value);
  const settings = { secretKey: config.secretKey, publicUrl: config.publicUrl, smsSender: config.privacy.smsSender };

  /** Takes the SMS caps; false (no SMS, the same answer) when one is used up. */
  async function smsAllowed(e164: string): Promise<boolean> {
    try {
      await reserve([
        [smsPerNumber, key('sms-number', e164)],
        [smsPerPrefix, key('sms-prefix', e164.slice(0, 6))],
      ]);
      return true;
    } catch {
      return false;
    }
  }

  return [
    defineRoute({ ...common, method: 'get', path: '/public/privacy-requests', summary: 'The privacy request form (Dutch and English)', responses: { 200: html }, selfContained: true, handler: () => requestFormPage() }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/public/privacy-requests',
      summary: 'File a privacy request (form or JSON): access, rectification, erasure, restriction, objection or complaint; the same answer whether the person is known or not',
      body: filingBody,
      formBody: true,
      responses: { 202: { description: 'received (JSON)' }, 400: { description: 'no valid address or number' }, 429: { description: 'too many requests' } },
      handler: async ({ body }, req) => {
        const checked = checkFiling({ ...body, correction: correctionOf(body) });
        // An address counts by its mailbox (jan+1@ is jan@): variants buy a stranger no more verification mail.
        const identifiers = [checked.filing.email === null ? null : mailboxOf(checked.filing.email), checked.filing.phone].filter((v): v is string => v !== null);
        await reserve([[perIp, key('ip', throttledNetwork(req.ip))], ...identifiers.map((v) => [perIdentifier, key('identifier', v)] as const)]);
        if (checked.phone && !checked.filing.email && !isDutchMobile(checked.phone)) {
          throw badRequest('A code by SMS goes to Dutch mobile numbers only: give an e-mail address.', [{ field: 'body.phone', message: 'not a Dutch mobile number' }]);
        }
        let id: string = crypto.randomUUID();
        if (!body[HONEYPOT]) {
          const sendCode = checked.phone !== null && isDutchMobile(checked.phone) && (await smsAllowed(checked.phone.e164));
          const filed = await filePublic(deps.db, checked, sendCode, settings);
          await enqueueAfterCommit(deps, filed.jobs);
          id = filed.request.id;
        }
        return fromForm(req) ? { status: 200, ...receivedPage(id, checked.phone !== null) } : { status: 202, body: received(id, body.type) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/public/privacy-requests/verify',
      summary: 'The page a verification link opens: what the request asks, and a button that verifies it (this GET verifies nothing)',
      query: z.object({ token: tokenSchema }),
      responses: { 200: html, 400: html },
      handler: async ({ query }) => {
        const id = verifyLink(config.secretKeys, 'privacy-verify', query.token);
        const request = id ? await findRequest(deps.db, id) : undefined;
        return request?.status === 'unverified' ? verifyButtonPage(query.token, request.type) : { status: 400, ...invalidPrivacyLinkPage() };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/public/privacy-requests/verify',
      summary: 'Verify a request by its mailed link (form or JSON {token}); a link works once',
      body: z.strictObject({ token: tokenSchema }),
      formBody: true,
      responses: { 200: { description: 'verified' }, 400: { description: 'forged, expired or used link' } },
      handler: async ({ body }, req) => {
        const verified = await verifyByLink(deps.db, config.secretKeys, body.token);
        if (verified) await enqueueAfterCommit(deps, verified.jobs);
        if (fromForm(req)) return verified ? verifiedPage() : { status: 400, ...invalidPrivacyLinkPage() };
        if (!verified) throw badRequest('This link is not valid, used or expired.', [{ field: 'body.token', message: 'invalid, used or expired' }]);
        return { body: { status: verified.status } };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/public/privacy-requests/{id}/code',
      summary: 'Verify a request by the code sent by SMS (5 tries, 30 minutes)',
      params: z.object({ id: z.uuid() }),
      body: z.strictObject({ code: z.string().regex(/^\d{6}$/) }),
      formBody: true,
      responses: { 200: { description: 'verified' }, 400: { description: 'wrong, expired or used code' } },
      handler: async ({ params, body }, req) => {
        const verified = await verifyByCode(deps.db, config.secretKeys, params.id, body.code);
        if (verified) await enqueueAfterCommit(deps, verified.jobs);
        if (fromForm(req)) return verified ? verifiedPage() : { status: 400, ...invalidCodePage() };
        if (!verified) throw badRequest('This code is not valid, used or expired.', [{ field: 'body.code', message: 'invalid, used or expired' }]);
        return { body: { status: verified.status } };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/public/privacy-exports/{id}',
      summary: 'An access export behind its signed link (7 days): a page, or JSON with format=json',
      params: z.object({ id: z.uuid() }),
      query: z.object({ token: tokenSchema, format: z.enum(['html', 'json']).default('html') }),
      responses: { 200: { description: 'the export' }, 404: { description: 'forged or expired link' } },
      handler: async ({ params, query }) => {
        const id = verifyLink(config.secretKeys, 'privacy-export', query.token);
        const stored = id === params.id ? await findExport(deps.db, id) : undefined;
        if (!stored) throw notFound('This link is not valid or has expired.');
        const headers = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': "default-src 'none'" };
        return query.format === 'json' ? { body: stored.document, headers } : { body: stored.html, contentType: 'text/html; charset=utf-8', headers };
      },
    }),
  ];
}
