// The small pages a newsletter sign-up shows a person (Dutch): the form, "check your mail",
// the confirmation button (a GET only shows it, so a mail scanner that follows links
// subscribes nobody) and the result. No script; each page sets its own CSP.
import { pageCsp } from '../page-csp.js';

export const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}.hp{position:absolute;left:-10000px}';

export interface Page {
  readonly body: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function page(title: string, content: string): Page {
  const body = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head><body>
<h1>${escape(title)}</h1>
${content}
</body></html>`;
  return { body, contentType: 'text/html; charset=utf-8', headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': pageCsp(body) } };
}

/** The honeypot: a field a person never sees nor fills in (the site's own form has one too). */
export const HONEYPOT = 'website';

export function signupFormPage(listId: string, listName: string): Page {
  return page(
    `Aanmelden: ${listName}`,
    `<form method="post" action="/public/lists/${escape(listId)}/subscribe">
<label>E-mailadres <input type="email" name="email" required autocomplete="email"></label>
<label>Naam <input type="text" name="name" autocomplete="name"></label>
<div class="hp" aria-hidden="true"><label>Website <input type="text" name="${HONEYPOT}" tabindex="-1" autocomplete="off"></label></div>
<button type="submit">Aanmelden</button></form>`,
  );
}

export const checkYourMailPage = (): Page => page('Bijna klaar', '<p>Als dit adres nog niet is aangemeld, krijg je een e-mail met een link. Klik daarop om je aanmelding te bevestigen.</p>');

export function confirmButtonPage(token: string): Page {
  return page(
    'Aanmelding bevestigen',
    `<form method="post" action="/public/newsletter/confirm"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">Ja, meld mij aan</button></form>`,
  );
}

export const confirmedPage = (): Page => page('Aangemeld', '<p>Je aanmelding is bevestigd. Je ontvangt voortaan de nieuwsbrief.</p>');
export const invalidLinkPage = (): Page => page('Link ongeldig', '<p>Deze link is verlopen of al gebruikt. Meld je opnieuw aan om een nieuwe link te krijgen.</p>');
