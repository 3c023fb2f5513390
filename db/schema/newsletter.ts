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
  /** What imported subscribers are written to in unless their row says otherwise. */
  language: Generated<Language>;
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

export const SUPPRESSION_REASONS = ['unsubscribe', 'hard_bounce', 'complaint', 'soft_bounces', 'objection'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** An address nobody of the organisation mails again: a keyed hash, never the address. */
export interface NewsletterSuppressionTable {
  organization_id: string;
  address_hash: Buffer;
  reason: SuppressionReason;
  created_at: CreatedAt;
}

export const CAMPAIGN_STATUSES = ['scheduled', 'queued', 'sending', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface NewsletterCampaignTable {
  id: Generated<string>;
  organization_id: string;
  /** Null once the list is deleted: the campaign and its counts stay. */
  list_id: string | null;
  subject: string;
  html: string;
  /** The plain-text part as given; made from the HTML when null. */
  text: string | null;
  from_name: string | null;
  reply_to: string | null;
  status: CampaignStatus;
  send_at: Date | null;
  chunk_size: number;
  recipients: Generated<number>;
  /** Why ops must look before it goes on (a burst of refusals, DKIM missing). */
  paused_reason: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface NewsletterCampaignChunkTable {
  campaign_id: string;
  chunk: number;
  done: Generated<boolean>;
}

export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'bounced', 'unsubscribed', 'unknown', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One recipient of a campaign; its id is what the VERP return path and the unsubscribe link carry. */
export interface NewsletterDeliveryTable {
  id: GeneratedAlways<number>;
  campaign_id: string;
  organization_id: string;
  seq: number;
  /** Null once the subscriber is deleted; address_hash still names the address for suppression. */
  subscriber_id: string | null;
  address_hash: Buffer;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  smtp_code: number | null;
  error_code: string | null;
  /** A 4xx answer puts the row back to queued until this time (backoff). */
  next_attempt_at: Generated<Date>;
  claimed_at: Date | null;
  sent_at: Date | null;
  updated_at: Generated<Date>;
}

/** How far the bounce reader read a mailbox (its key a hash of host, user and mailbox). */
export interface NewsletterBounceMailboxTable {
  mailbox_key: string;
  uid_validity: number;
  last_uid: number;
  read_at: Generated<Date>;
}

export type NewsletterList = Selectable<NewsletterListTable>;
export type NewsletterCampaign = Selectable<NewsletterCampaignTable>;
export type NewsletterDelivery = Selectable<NewsletterDeliveryTable>;
export type NewsletterSubscriber = Selectable<NewsletterSubscriberTable>;

export interface NewsletterDatabase {
  newsletter_lists: NewsletterListTable;
  newsletter_subscribers: NewsletterSubscriberTable;
  newsletter_consents: NewsletterConsentTable;
  newsletter_signups: NewsletterSignupTable;
  newsletter_suppressions: NewsletterSuppressionTable;
  newsletter_bounce_mailboxes: NewsletterBounceMailboxTable;
  newsletter_campaigns: NewsletterCampaignTable;
  newsletter_campaign_chunks: NewsletterCampaignChunkTable;
  newsletter_deliveries: NewsletterDeliveryTable;
}
