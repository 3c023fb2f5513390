// Table types of the newsletter family (db/schema.ts extends Database with them).
import type { ColumnType, Generated, GeneratedAlways, Selectable } from 'kysely';
import type { Language } from './columns.js';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export const SUBSCRIBER_STATUSES = ['subscribed', 'unsubscribed'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];
export type ConsentMethod = 'sign-up' | 'import' | 'api';
/** Consent, or an existing customer relationship (Telecommunicatiewet art. 11.7) for imports. */
export type LegalBasis = 'consent' | 'customer-relationship';
export type SubscriberAttributes = Record<string, string | number | boolean | null>;

export interface NewsletterListTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  description: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface NewsletterSubscriberTable {
  id: Generated<string>;
  organization_id: string;
  list_id: string;
  email: string;
  name: string | null;
  attributes: ColumnType<SubscriberAttributes, string | undefined, string>;
  status: Generated<SubscriberStatus>;
  created_at: CreatedAt;
  unsubscribed_at: Date | null;
  /** The language mails to this person are written in (workers/messages/). */
  language: Generated<Language>;
}

export interface NewsletterConsentTable {
  id: GeneratedAlways<string>;
  subscriber_id: string;
  organization_id: string;
  list_id: string;
  given_at: CreatedAt;
  method: ConsentMethod;
  privacy_statement: string;
  ip_truncated: string | null;
  legal_basis: LegalBasis;
}

export interface NewsletterSignupTable {
  id: Generated<string>;
  organization_id: string;
  list_id: string;
  email: string;
  name: string | null;
  ip_truncated: string | null;
  privacy_statement: string;
  /** The language mails to this person are written in (workers/messages/). */
  language: Generated<Language>;
  /** Renewed when the same address signs up again: the link's validity counts from the last mail. */
  created_at: Timestamp;
}

export type NewsletterList = Selectable<NewsletterListTable>;
export type NewsletterSubscriber = Selectable<NewsletterSubscriberTable>;

export interface NewsletterDatabase {
  newsletter_lists: NewsletterListTable;
  newsletter_subscribers: NewsletterSubscriberTable;
  newsletter_consents: NewsletterConsentTable;
  newsletter_signups: NewsletterSignupTable;
}
