// The pages of a public privacy request: the form, "received" (with the SMS code form when a
// number was given), the confirmation button a mailed link opens, and the results. Dutch and
// English on one page (a request is filed before we know the person's language), each text from
// the catalogue in workers/messages/; the page frame is the newsletter's. No script.
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestType } from '../../db/schema.js';
import type { PrivacyMessages } from '../../workers/messages/catalogue.js';
import { both, eachLanguage } from '../../workers/privacy/bilingual.js';
import { escapeHtml as escape, htmlPage, type Page } from '../html-page.js';
import { HONEYPOT } from './newsletter-pages.js';

const label = (pick: (m: PrivacyMessages) => string) => escape(both(pick));
/** A paragraph per language, each marked with its `lang`. */
const paragraphs = (pick: (m: PrivacyMessages) => string) => eachLanguage(pick).map((t) => `<p lang="${t.language}">${escape(t.value)}</p>`).join('\n');
const page = (title: (m: PrivacyMessages) => string, content: string): Page => htmlPage('nl', both(title), content);

export function requestFormPage(): Page {
  const options = PRIVACY_REQUEST_TYPES.map((t) => `<option value="${t}">${label((m) => m.form.types[t])}</option>`).join('');
  return page(
    (m) => m.form.title,
    `${paragraphs((m) => m.form.intro)}
<form method="post" action="/public/privacy-requests">
<label>${label((m) => m.form.type)} <select name="type">${options}</select></label>
<label>${label((m) => m.form.email)} <input name="email" type="email" maxlength="320" autocomplete="email"></label>
<label>${label((m) => m.form.phone)} <input name="phone" type="tel" maxlength="40" autocomplete="tel"></label>
<label>${label((m) => m.form.name)} <input name="name" maxlength="200" autocomplete="name"></label>
<label>${label((m) => m.form.message)} <textarea name="message" maxlength="2000"></textarea></label>
<fieldset><legend>${label((m) => m.form.correction)}</legend>
<label>${label((m) => m.form.correctName)} <input name="correctName" maxlength="200"></label>
<label>${label((m) => m.form.correctEmail)} <input name="correctEmail" type="email" maxlength="320"></label>
<label>${label((m) => m.form.correctPhone)} <input name="correctPhone" type="tel" maxlength="40"></label></fieldset>
<div class="hp" aria-hidden="true"><input name="${HONEYPOT}" tabindex="-1" autocomplete="off"></div>
<button type="submit">${label((m) => m.form.submit)}</button></form>`,
  );
}

/** After filing from the form; with a number, the form for the code the SMS brings (the same page whether a code was sent or not). */
export function receivedPage(id: string, withCode: boolean): Page {
  const code = withCode
    ? `<form method="post" action="/public/privacy-requests/${escape(id)}/code"><label>${label((m) => m.received.code)} <input name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required></label><button type="submit">${label((m) => m.received.codeSubmit)}</button></form>`
    : '';
  return page((m) => m.received.title, `${paragraphs((m) => m.received.text)}\n${code}`);
}

/** The button a mailed link opens, saying what it confirms. */
export const verifyButtonPage = (token: string, type: PrivacyRequestType) =>
  page((m) => m.confirm.title, `${paragraphs((m) => m.confirm.what[type])}\n<form method="post" action="/public/privacy-requests/verify"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">${label((m) => m.confirm.button)}</button></form>`);

export const verifiedPage = () => page((m) => m.verified.title, paragraphs((m) => m.verified.text));

export const invalidPrivacyLinkPage = () => page((m) => m.invalidLink.title, paragraphs((m) => m.invalidLink.text));

export const invalidCodePage = () => page((m) => m.invalidCode.title, paragraphs((m) => m.invalidCode.text));
