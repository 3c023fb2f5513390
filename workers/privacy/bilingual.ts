// Privacy requests speak Dutch and English at once: a request is filed before we know the
// person's language, and the statement promises both. Each text comes from the catalogue
// (workers/messages/) in both languages; these join them.
import { messages, type MailText, type PrivacyMessages } from '../messages/catalogue.js';

const NL = messages('nl').privacy;
const EN = messages('en').privacy;

/** "Dutch / English", for a title, label or subject. */
export const both = (pick: (m: PrivacyMessages) => string): string => `${pick(NL)} / ${pick(EN)}`;

/** Each language's text, Dutch first. */
export const eachLanguage = <T>(pick: (m: PrivacyMessages) => T): readonly [{ language: 'nl'; value: T }, { language: 'en'; value: T }] => [
  { language: 'nl', value: pick(NL) },
  { language: 'en', value: pick(EN) },
];

/** One mail in both languages: the subjects joined, the Dutch text above the English one. */
export function bilingualMail(pick: (m: PrivacyMessages) => MailText): MailText {
  const [nl, en] = eachLanguage(pick);
  return { subject: `${nl.value.subject} / ${en.value.subject}`, text: `${nl.value.text}\n--- English ---\n\n${en.value.text}` };
}
