// The newsletter family's categories of personal data (see workers/retention/category.ts).
// TGG sends its own newsletter as controller, and members' newsletters as their processor.
import type { RetentionCategories } from '../retention/category.js';

const PURPOSE = 'sending newsletters to the people who asked for them, and proving that they did';
const SUBJECTS = 'newsletter subscribers';

export const newsletterRetention: RetentionCategories = (settings) => [
  {
    category: 'newsletter.subscribers',
    table: 'newsletter_subscribers',
    key: 'id',
    clock: 'unsubscribed_at',
    keep: { days: 30 },
    keepText: 'while subscribed; deleted 30 days after unsubscribing (the suppression hash stays)',
    action: { kind: 'delete' },
    dataSubjects: SUBJECTS,
    personalData: ['e-mail address', 'name', "the list owner's free attributes"],
    purpose: PURPOSE,
    legalBasis: 'GDPR art. 6(1)(a): consent (or Telecommunicatiewet art. 11.7 for existing customers)',
    processors: ['mail-relay', 'hosting'],
  },
  {
    // A member's newsletter is sent by TGG as its processor: when the relationship ends the
    // instruction ends, and so does the list (GDPR art. 28(3)(g)). TGG's own house list never ends.
    category: 'newsletter.subscribers-of-ended-members',
    table: 'newsletter_subscribers',
    key: 'id',
    clock: { column: 'ended_at', via: { table: 'organizations', foreignKey: 'organization_id' } },
    keep: { days: settings.relationshipGraceDays },
    keepText: `a member's subscribers (and their consents) are deleted ${settings.relationshipGraceDays} days after its relationship with TGG ends (RELATIONSHIP_GRACE_DAYS), subscribed or not`,
    action: { kind: 'delete' },
    dataSubjects: "subscribers of a member's newsletter",
    personalData: ['e-mail address', 'name', "the list owner's free attributes", 'their consents'],
    purpose: PURPOSE,
    legalBasis: 'GDPR art. 28(3)(g): a processor deletes what it processed for a member once its services end',
    processors: ['hosting'],
  },
  {
    category: 'newsletter.consents',
    table: 'newsletter_consents',
    key: 'id',
    clock: { column: 'unsubscribed_at', via: { table: 'newsletter_subscribers', foreignKey: 'subscriber_id' } },
    keep: { days: 30 },
    keepText: 'as long as the subscriber it proves',
    action: { kind: 'delete' },
    dataSubjects: SUBJECTS,
    personalData: ['when and how consent was given', 'privacy-statement version', 'truncated IP address'],
    purpose: 'proving consent to the newsletter (GDPR art. 7(1))',
    legalBasis: 'GDPR art. 6(1)(c): the duty to prove consent',
    processors: ['hosting'],
  },
  {
    category: 'newsletter.signups',
    table: 'newsletter_signups',
    key: 'id',
    clock: 'created_at',
    keep: { days: 7 },
    keepText: '7 days after signing up, unless confirmed (then the subscriber is kept)',
    action: { kind: 'delete' },
    dataSubjects: 'people who signed up for a newsletter and have not confirmed',
    personalData: ['e-mail address', 'name', 'truncated IP address'],
    purpose: 'double opt-in: mailing a confirmation link before anyone is subscribed',
    legalBasis: 'GDPR art. 6(1)(b): steps at the request of the person who signed up',
    processors: ['mail-relay', 'hosting'],
  },
  {
    category: 'newsletter.deliveries',
    table: 'newsletter_deliveries',
    key: 'id',
    clock: 'updated_at',
    keep: { months: 6 },
    keepText: '6 months after the last change of its state (sent, bounced, unsubscribed)',
    action: { kind: 'delete' },
    dataSubjects: SUBJECTS,
    personalData: ['which campaign went to which subscriber', 'keyed hash of the e-mail address', 'delivery state and SMTP answer'],
    purpose: 'sending each campaign mail once, tracing its delivery and tying bounces and unsubscribes to it',
    legalBasis: 'GDPR art. 6(1)(a): the consent the newsletter is sent under',
    processors: ['mail-relay', 'hosting'],
  },
];

export const NEWSLETTER_TABLES_WITHOUT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  newsletter_bounce_mailboxes: 'how far the bounce reader read its mailbox: a hash of the mailbox and two numbers',
  newsletter_lists: "an organisation's newsletter lists: a name and a description",
  newsletter_campaigns: "an organisation's campaigns: the mail as written (placeholders, not the subscribers' values), state and counts",
  newsletter_campaign_chunks: 'progress of a campaign: ids and flags',
  newsletter_suppressions: 'keyed hashes (HMAC, SUPPRESSION_KEY) of addresses and a reason, kept while the suppression stands (P12); deleted with the organisation',
};
