// The small pages a newsletter sign-up shows a person, in their language: the form, "check
// your mail", the confirmation button (a GET only shows it, so a mail scanner that follows
// links subscribes nobody) and the result. No script.
import { messages, type Language } from '../../workers/messages/catalogue.js';
import { escapeHtml as escape, htmlPage, type Page } from '../html-page.js';

export type { Page } from '../html-page.js';

/** The honeypot: a field a person never sees nor fills in (the site's own form has one too). */
export const HONEYPOT = 'website';

/** The form; `problem` (invalidEmail, tooMany) shows above it when a post was refused. */
export function signupFormPage(language: Language, listId: string, listName: string, problem?: 'invalidEmail' | 'tooMany'): Page {
  const m = messages(language).signupForm;
  return htmlPage(
    language,
    m.title(listName),
    `${problem ? `<p role="alert">${escape(m[problem])}</p>\n` : ''}<form method="post" action="/public/lists/${escape(listId)}/subscribe">
<input type="hidden" name="language" value="${language}">
<label>${escape(m.email)} <input type="email" name="email" required autocomplete="email"></label>
<label>${escape(m.name)} <input type="text" name="name" autocomplete="name"></label>
<div class="hp" aria-hidden="true"><label>Website <input type="text" name="${HONEYPOT}" tabindex="-1" autocomplete="off"></label></div>
<button type="submit">${escape(m.submit)}</button></form>`,
  );
}

export function checkYourMailPage(language: Language): Page {
  const m = messages(language).checkYourMail;
  return htmlPage(language, m.title, `<p>${escape(m.text)}</p>`);
}

export function confirmButtonPage(language: Language, token: string): Page {
  const m = messages(language).confirmSignup;
  return htmlPage(
    language,
    m.title,
    `<form method="post" action="/public/newsletter/confirm?lang=${language}"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">${escape(m.button)}</button></form>`,
  );
}

export function confirmedPage(language: Language): Page {
  const m = messages(language).confirmed;
  return htmlPage(language, m.title, `<p>${escape(m.text)}</p>`);
}

export function invalidLinkPage(language: Language): Page {
  const m = messages(language).invalidLink;
  return htmlPage(language, m.title, `<p>${escape(m.text)}</p>`);
}

/** What the unsubscribe link in a campaign mail opens: a button (a GET unsubscribes nobody; the POST does, as RFC 8058's one-click POST does). */
export function unsubscribeButtonPage(language: Language, token: string): Page {
  const m = messages(language).unsubscribe;
  return htmlPage(
    language,
    m.title,
    `<p>${escape(m.text)}</p><form method="post" action="/public/newsletter/unsubscribe?token=${encodeURIComponent(token)}&amp;lang=${language}"><button type="submit">${escape(m.button)}</button></form>`,
  );
}

export function unsubscribedPage(language: Language): Page {
  const m = messages(language).unsubscribe;
  return htmlPage(language, m.doneTitle, `<p>${escape(m.doneText)}</p>`);
}
