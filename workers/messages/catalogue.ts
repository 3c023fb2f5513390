// The one message catalogue: every page and mail the platform writes to a person, in Dutch
// (the default) and English. Each language is a full `Messages`, so the compiler refuses a
// text that exists in one language only. Pages pick the language from Accept-Language
// (api/language.ts), mails from the subscriber's or user's `language` column.
import type { Language } from '../../db/schema/columns.js';
import type { PrivacyRequestType } from '../../db/schema/privacy.js';
import { en } from './en.js';
import { nl } from './nl.js';

export type { Language } from '../../db/schema/columns.js';
export { LANGUAGES } from '../../db/schema/columns.js';
export const DEFAULT_LANGUAGE: Language = 'nl';

export interface MailText {
  readonly subject: string;
  readonly text: string;
}

export interface Messages {
  readonly signupForm: { title(list: string): string; email: string; name: string; submit: string; invalidEmail: string; tooMany: string };
  readonly checkYourMail: { title: string; text: string };
  readonly confirmSignup: { title: string; button: string };
  readonly confirmed: { title: string; text: string };
  readonly invalidLink: { title: string; text: string };
  readonly unsubscribe: { title: string; text: string; button: string; doneTitle: string; doneText: string };
  /** No name: whoever fills in the form types it, so it would put a stranger's words in our mail to anyone's address. */
  readonly optInMail: (p: { list: string; link: string; days: number }) => MailText;
  readonly passwordResetMail: (p: { sessions: number; keys: number; link: string; hours: number }) => MailText;
  readonly passwordResetPage: { title: string; intro(minLength: number): string; password: string; save: string; failed: string; done: string };
  /** The foot of every campaign mail: why the person gets it, and the unsubscribe link's text. */
  readonly campaignFooter: (p: { organization: string; list: string; email: string }) => { why: string; unsubscribe: string };
  readonly smsByMail: (p: { sender: string }) => Pick<MailText, 'subject'>;
  /** Privacy requests: pages and mails show Dutch and English together (workers/privacy/bilingual.ts). */
  readonly privacy: PrivacyMessages;
}

export interface PrivacyMessages {
  readonly form: {
    readonly title: string;
    readonly intro: string;
    readonly type: string;
    readonly types: Readonly<Record<PrivacyRequestType, string>>;
    readonly email: string;
    readonly phone: string;
    readonly name: string;
    readonly message: string;
    readonly correction: string;
    readonly correctName: string;
    readonly correctEmail: string;
    readonly correctPhone: string;
    readonly submit: string;
  };
  readonly received: { readonly title: string; readonly text: string; readonly code: string; readonly codeSubmit: string };
  /** `what`: the kind of request a link confirms, in the mail and on the button page, so nobody confirms an erasure someone else asked for thinking it is theirs. */
  readonly confirm: { readonly title: string; readonly button: string; readonly what: Readonly<Record<PrivacyRequestType, string>> };
  readonly verified: { readonly title: string; readonly text: string };
  readonly invalidLink: { readonly title: string; readonly text: string };
  readonly invalidCode: { readonly title: string; readonly text: string };
  readonly verifyMail: (p: { link: string; days: number; what: string }) => MailText;
  readonly exportMail: (p: { link: string; days: number }) => MailText;
  readonly extensionMail: (p: { dueDate: string; reason: string }) => MailText;
  readonly codeSms: (p: { code: string; minutes: number }) => string;
}

const CATALOGUE: Readonly<Record<Language, Messages>> = { nl, en };

export function messages(language: Language | null | undefined): Messages {
  return CATALOGUE[language ?? DEFAULT_LANGUAGE];
}
