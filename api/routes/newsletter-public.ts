// Public newsletter sign-up with double opt-in (issue 14): the form, its POST (form or JSON;
// a honeypot and a per-IP rate limit stop bots, a daily cap of confirmation mails per address
// stops mail-bombing a stranger; the answer is the same whatever the address's state), and the
// signed confirmation link (GET shows a button, POST confirms).
import { createHmac } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { mailboxOf, normaliseAddress } from '../../workers/newsletter/address.js';
import { findPublicList } from '../../workers/newsletter/lists.js';
import { confirmSignup, signUp } from '../../workers/newsletter/signup.js';
import { LANGUAGES } from '../../workers/messages/catalogue.js';
import { throttledNetwork, truncateIp } from '../client-ip.js';
import { pageLanguage } from '../language.js';
import { HttpError, badRequest, notFound } from '../problem.js';
import { createLimiter, limiterKey, reserve, type Reservation } from '../rate-limit.js';
import { defineRoute, type Route } from '../route.js';
import { HONEYPOT, checkYourMailPage, confirmButtonPage, confirmedPage, invalidLinkPage, signupFormPage } from './newsletter-pages.js';

/** Sign-ups one IP address may post per hour. */
export const SIGNUPS_PER_IP_PER_HOUR = 10;
/**
 * Confirmation mails one address is sent a day, whichever list, organisation or client asks: past
 * it a sign-up is answered the same and sends nothing, so the form cannot bury a stranger in mail.
 */
export const SIGNUP_MAILS_PER_ADDRESS_PER_DAY = 5;
const html = { description: 'a page', schema: z.string(), contentType: 'text/html' } as const;
const listParams = z.object({ id: z.uuid() });
const signupBody = z.strictObject({ email: z.string().max(320), name: z.string().trim().max(200).optional(), language: z.enum(LANGUAGES).optional(), [HONEYPOT]: z.string().max(500).optional() });
const tokenSchema = z.string().min(1).max(200);
const common = { tags: ['public'], security: 'none' } as const;
const fromForm = (req: Request) => Boolean(req.is('application/x-www-form-urlencoded'));
const PENDING = { status: 'pending', detail: 'If the address can be subscribed, a confirmation mail is on its way.' };

export function newsletterPublicRoutes(deps: Deps): Route[] {
  const { config } = deps;
  const perIp = createLimiter(deps.queues.connection, `${config.queuePrefix}:ratelimit:newsletter-signup`, SIGNUPS_PER_IP_PER_HOUR, 3600);
  const perAddress = createLimiter(deps.queues.connection, `${config.queuePrefix}:ratelimit:newsletter-address`, SIGNUP_MAILS_PER_ADDRESS_PER_DAY, 86_400);
  /** A point of the address's daily mails, or undefined (nothing is sent) when they are used up. */
  const addressAllowance = async (email: string): Promise<Reservation | undefined> => {
    try {
      return await reserve([[perAddress, limiterKey(config.secretKey, 'newsletter-address', mailboxOf(email))]]);
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) return undefined;
      throw error;
    }
  };
  const ipKey = (req: Request) => createHmac('sha256', config.secretKey).update(`newsletter-signup:${throttledNetwork(req.ip)}`).digest('base64url');
  const listOr404 = async (id: string) => {
    const list = await findPublicList(deps.db, id);
    if (!list) throw notFound('No such list.');
    return list;
  };
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/public/lists/{id}/subscribe',
      summary: "A list's sign-up form (HTML)",
      params: listParams,
      responses: { 200: html, 404: { description: 'no such list' } },
      handler: async ({ params }, req) => {
        const list = await listOr404(params.id);
        return signupFormPage(pageLanguage(req), list.id, list.name);
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/public/lists/{id}/subscribe',
      summary: 'Sign up (form or JSON): the same answer whether the address is new, pending, subscribed or unsubscribed; a confirmation mail when it can subscribe',
      params: listParams,
      body: signupBody,
      formBody: true,
      responses: { 202: { description: 'taken (JSON)', schema: z.object({ status: z.literal('pending'), detail: z.string() }) }, 400: { description: 'not an e-mail address (a form post gets the form again, saying so in its language)' }, 404: { description: 'no such list' }, 429: { description: 'too many sign-ups from this address (a form post: the form page saying so)' } },
      handler: async ({ params, body }, req) => {
        const list = await listOr404(params.id);
        const language = body.language ?? pageLanguage(req);
        // A person at the form gets the form again with the reason, in their language; JSON gets problem+json.
        try {
          await reserve([[perIp, ipKey(req)]]);
        } catch (error) {
          if (!fromForm(req) || !(error instanceof HttpError) || error.status !== 429) throw error;
          const page = signupFormPage(language, list.id, list.name, 'tooMany');
          return { status: 429, ...page, headers: { ...page.headers, ...error.extras.headers } };
        }
        const checked = normaliseAddress(body.email);
        if (!checked.ok && fromForm(req)) return { status: 400, ...signupFormPage(language, list.id, list.name, 'invalidEmail') };
        if (!checked.ok) throw badRequest('Give a valid e-mail address.', [{ field: 'body.email', message: `invalid address (${checked.reason})` }]);
        const allowance = body[HONEYPOT] ? undefined : await addressAllowance(checked.email);
        if (allowance) {
          const settings = { secretKey: config.secretKey, suppressionKey: config.suppressionKey, publicUrl: config.publicUrl, privacyStatement: config.privacyStatementVersion };
          const mailId = await signUp(deps.db, list, { email: checked.email, name: body.name || null, ipTruncated: truncateIp(req.ip), language }, settings);
          // No mail (the address is known or suppressed): the day's allowance is not used.
          if (mailId) await enqueueAfterCommit(deps, [{ name: 'mail.send', payload: { messageId: mailId } }]);
          else await allowance.giveBack();
        }
        return fromForm(req) ? { status: 200, ...checkYourMailPage(language) } : { status: 202, body: PENDING };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/public/newsletter/confirm',
      summary: 'The page a confirmation link opens: a button that confirms (this GET confirms nothing)',
      query: z.object({ token: tokenSchema, lang: z.enum(LANGUAGES).optional() }),
      responses: { 200: html },
      handler: ({ query }, req) => confirmButtonPage(pageLanguage(req), query.token),
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/public/newsletter/confirm',
      summary: 'Confirm a sign-up (form or JSON {token}): the address becomes a subscriber, its consent recorded',
      body: z.strictObject({ token: tokenSchema }),
      formBody: true,
      responses: { 200: { description: 'subscribed', schema: z.object({ status: z.literal('subscribed') }) }, 400: { description: 'the link is not valid, used or expired' } },
      handler: async ({ body }, req) => {
        const outcome = await confirmSignup(deps.db, config, body.token);
        if (fromForm(req)) return outcome === 'confirmed' ? confirmedPage(pageLanguage(req)) : { status: 400, ...invalidLinkPage(pageLanguage(req)) };
        if (outcome !== 'confirmed') throw badRequest('This link is not valid, used or expired.', [{ field: 'body.token', message: 'invalid or expired' }]);
        return { body: { status: 'subscribed' } };
      },
    }),
  ];
}
