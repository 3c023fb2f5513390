// The small pages of a privacy request (Dutch and English): the form, "check your mail", the
// verification button (a GET shows it; only the POST verifies, so a mail scanner verifies
// nothing) and the results. The page frame is the newsletter's.
import { PRIVACY_REQUEST_TYPES } from '../../db/schema.js';
import { escapeHtml as escape, htmlPage, type Page } from '../html-page.js';
import { HONEYPOT } from './newsletter-pages.js';

// Dutch and English side by side on one page (the catalogue in workers/messages/ is not used here yet).
const page = (title: string, content: string): Page => htmlPage('nl', title, content);

const LABELS: Record<(typeof PRIVACY_REQUEST_TYPES)[number], string> = {
  access: 'Inzage / Access',
  rectification: 'Correctie / Rectification',
  erasure: 'Verwijderen / Erasure',
  restriction: 'Beperking / Restriction',
  objection: 'Bezwaar / Objection',
  complaint: 'Klacht / Complaint',
};

export function requestFormPage(): Page {
  const options = PRIVACY_REQUEST_TYPES.map((t) => `<option value="${t}">${escape(LABELS[t])}</option>`).join('');
  return page(
    'Privacyverzoek / Privacy request',
    `<form method="post" action="/public/privacy-requests">
<label>Soort / Type <select name="type">${options}</select></label>
<label>E-mailadres / E-mail address <input name="email" type="email" autocomplete="email"></label>
<label>of mobiel nummer / or mobile number <input name="phone" type="tel" autocomplete="tel"></label>
<label>Naam / Name <input name="name" autocomplete="name"></label>
<label>Toelichting / Message <textarea name="message" maxlength="2000"></textarea></label>
<input class="hp" name="${HONEYPOT}" tabindex="-1" autocomplete="off">
<button type="submit">Versturen / Send</button></form>
<p>Je ontvangt een bevestigingslink per mail, of een code per sms. / You get a confirmation link by mail, or a code by SMS.</p>`,
  );
}

export const receivedPage = () => page('Ontvangen / Received', '<p>Als we je kunnen bereiken, ontvang je een link of code om je verzoek te bevestigen. / If we can reach you, you will receive a link or code to confirm your request.</p>');

export const verifyButtonPage = (token: string) =>
  page('Bevestig je verzoek / Confirm your request', `<form method="post" action="/public/privacy-requests/verify"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">Ja, bevestig / Yes, confirm</button></form>`);

export const verifiedPage = () => page('Bevestigd / Confirmed', '<p>Je verzoek is bevestigd; we antwoorden binnen een maand. / Your request is confirmed; we answer within a month.</p>');

export const invalidPrivacyLinkPage = () => page('Ongeldige link / Invalid link', '<p>Deze link is niet geldig, al gebruikt of verlopen. / This link is not valid, used or expired.</p>');
