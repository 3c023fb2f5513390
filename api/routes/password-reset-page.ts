// The page a reset link opens: a form that posts the token and the new password as JSON to
// POST /public/password-reset. The token stays in the page (never in a log: request logs
// hold the route pattern only).
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../workers/identity/passwords.js';
import { pageCsp } from '../page-csp.js';
import { defineRoute, type Route } from '../route.js';

const PAGE = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nieuw wachtwoord · TGG</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}</style>
</head><body>
<h1>Nieuw wachtwoord</h1>
<p>Kies een wachtwoord van minstens ${MIN_PASSWORD_LENGTH} tekens dat niet op een lijst van veelgebruikte wachtwoorden staat.</p>
<form id="reset"><label>Nieuw wachtwoord <input type="password" name="password" minlength="${MIN_PASSWORD_LENGTH}" required autocomplete="new-password"></label>
<button type="submit">Opslaan</button></form>
<p id="result" role="status"></p>
<script>
document.getElementById('reset').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = new URLSearchParams(location.search).get('token') || '';
  const password = event.target.password.value;
  const response = await fetch('/public/password-reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  const problem = response.status === 204 ? null : await response.json().catch(() => ({}));
  document.getElementById('result').textContent = problem ? (problem.detail || 'Dat lukte niet.') : 'Uw wachtwoord is gewijzigd. U kunt nu inloggen.';
});
</script>
</body></html>`;

const PAGE_CSP = pageCsp(PAGE);

export function passwordResetPageRoutes(): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/public/password-reset',
      summary: 'The page a password-reset link opens (HTML form posting to POST /public/password-reset)',
      tags: ['public'],
      security: 'none',
      query: z.object({ token: z.string().max(200).optional() }),
      responses: { 200: { description: 'the form', schema: z.string(), contentType: 'text/html' } },
      handler: () => ({ body: PAGE, contentType: 'text/html; charset=utf-8', headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': PAGE_CSP } }),
    }),
  ];
}
