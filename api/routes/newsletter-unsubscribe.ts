// One-click unsubscribe (RFC 8058): the link in List-Unsubscribe and at the foot of every
// campaign mail. POST (a mail client's one-click, or the page's button) unsubscribes at once;
// GET only shows the button, so a link scanner unsubscribes nobody.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { isUnsubscribeToken, unsubscribeByToken } from '../../workers/newsletter/unsubscribe.js';
import { pageLanguage } from '../language.js';
import { defineRoute, type Route } from '../route.js';
import { invalidLinkPage, unsubscribeButtonPage, unsubscribedPage } from './newsletter-pages.js';

const html = { description: 'a page', schema: z.string(), contentType: 'text/html' } as const;
const query = z.object({ token: z.string().min(1).max(200) });
const common = { tags: ['public'], security: 'none', path: '/public/newsletter/unsubscribe', query } as const;

export function newsletterUnsubscribeRoutes(deps: Deps): Route[] {
  const { config } = deps;
  return [
    defineRoute({
      ...common,
      method: 'get',
      summary: 'The page the unsubscribe link opens: a button (this GET unsubscribes nobody)',
      responses: { 200: html, 400: html },
      handler: ({ query: { token } }, req) => (isUnsubscribeToken(config.secretKeys, token) ? unsubscribeButtonPage(pageLanguage(req), token) : { status: 400, ...invalidLinkPage(pageLanguage(req)) }),
    }),
    defineRoute({
      ...common,
      method: 'post',
      summary: 'Unsubscribe at once (RFC 8058 one-click: body List-Unsubscribe=One-Click, or the button): the address is suppressed for the organisation',
      responses: { 200: html, 400: html },
      handler: async ({ query: { token } }, req) => {
        const outcome = await unsubscribeByToken(deps.db, config, token);
        return outcome === 'unsubscribed' ? unsubscribedPage(pageLanguage(req)) : { status: 400, ...invalidLinkPage(pageLanguage(req)) };
      },
    }),
  ];
}
