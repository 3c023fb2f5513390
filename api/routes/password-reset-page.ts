// The page a reset link opens, in the reader's language (the link from the mail carries the
// user's `lang`; otherwise Accept-Language): a form that posts the token and the new password
// as JSON to POST /public/password-reset. The token stays in the page (never in a log:
// request logs hold the route pattern only).
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../workers/identity/passwords.js';
import { LANGUAGES, messages, type Language } from '../../workers/messages/catalogue.js';
import { escapeHtml, htmlPage, type Page } from '../html-page.js';
import { pageLanguage } from '../language.js';
import { defineRoute, type Route } from '../route.js';

function resetPage(language: Language): Page {
  const m = messages(language).passwordResetPage;
  return htmlPage(
    language,
    m.title,
    `<p>${escapeHtml(m.intro(MIN_PASSWORD_LENGTH))}</p>
<form id="reset"><label>${escapeHtml(m.password)} <input type="password" name="password" minlength="${MIN_PASSWORD_LENGTH}" required autocomplete="new-password"></label>
<button type="submit">${escapeHtml(m.save)}</button></form>
<p id="result" role="status"></p>
<script>
document.getElementById('reset').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = new URLSearchParams(location.search).get('token') || '';
  const password = event.target.password.value;
  const response = await fetch('/public/password-reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  const problem = response.status === 204 ? null : await response.json().catch(() => ({}));
  document.getElementById('result').textContent = problem ? (problem.detail || ${JSON.stringify(m.failed)}) : ${JSON.stringify(m.done)};
});
</script>`,
  );
}

/** Built once per language: the page does not depend on the request beyond that. */
const PAGES = Object.fromEntries(LANGUAGES.map((language) => [language, resetPage(language)])) as Record<Language, Page>;

export function passwordResetPageRoutes(): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/public/password-reset',
      summary: 'The page a password-reset link opens (HTML form posting to POST /public/password-reset), in Dutch or, on request (Accept-Language or lang), English',
      tags: ['public'],
      security: 'none',
      query: z.object({ token: z.string().max(200).optional(), lang: z.enum(LANGUAGES).optional() }),
      responses: { 200: { description: 'the form', schema: z.string(), contentType: 'text/html' } },
      selfContained: true,
      handler: (_input, req) => PAGES[pageLanguage(req)],
    }),
  ];
}
