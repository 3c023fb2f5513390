// The retention policy as data (DESIGN rule 9). One entry per category of personal data: it
// drives the nightly purge, the public register (/public/register) and the README's table.
// Each domain adds its categories here when it adds its tables; test/retention-coverage.test.ts
// fails when a table is in neither this list nor TABLES_WITHOUT_PERSONAL_DATA.
import type { Database } from '../../db/schema.js';
import { temRetention, TEM_TABLES_WITHOUT_PERSONAL_DATA } from '../tem/retention.js';

export interface RetentionPeriod {
  readonly years?: number;
  readonly months?: number;
  readonly days?: number;
}

export type RetentionAction =
  | { readonly kind: 'delete' }
  /** Clears the personal columns and stamps `marker`; the rest of the row (counts, costs) stays. */
  | { readonly kind: 'anonymise'; readonly columns: readonly string[]; readonly marker: string };

export interface RetentionCategory {
  readonly category: string;
  readonly table: keyof Database;
  readonly key: string;
  /** Timestamp column that starts the clock, on the table itself or on a parent row. */
  readonly clock: string | { readonly column: string; readonly via: { readonly table: keyof Database; readonly foreignKey: string } };
  /** An indexed column never later than the clock: it bounds the purge's scan when the clock itself is not indexed. */
  readonly floor?: string;
  /** Monthly partitions (`<table>_YYYYMM`): those wholly past the cut-off are dropped before the row purge. */
  readonly partitionedByMonth?: boolean;
  readonly keep: RetentionPeriod;
  /** How the period reads in the register. */
  readonly keepText: string;
  readonly action: RetentionAction;
  readonly dataSubjects: string;
  readonly personalData: readonly string[];
  readonly purpose: string;
  readonly legalBasis: string;
  readonly processors: readonly ProcessorId[];
}

export const PROCESSORS = {
  'mail-relay': { name: 'Mail relay', role: 'delivers e-mail (the SMTP relay configured in SMTP_URL)' },
  'sms-gateway': { name: 'SMS gateway', role: 'delivers SMS (the SMSC in SMPP_URL, or the HTTP gateway)' },
  hosting: { name: 'Hosting provider', role: 'runs the servers, PostgreSQL and Redis in the EU' },
} as const;
export type ProcessorId = keyof typeof PROCESSORS;

export interface RetentionSettings {
  /** Days after an organisation's relationship ends before its contacts and users go (P7). */
  readonly relationshipGraceDays: number;
}

const DEFAULT_RETENTION_SETTINGS: RetentionSettings = { relationshipGraceDays: 90 };

const relationshipEnd = { column: 'ended_at', via: { table: 'organizations', foreignKey: 'organization_id' } } as const;

export function retentionPolicy(settings: RetentionSettings = DEFAULT_RETENTION_SETTINGS): readonly RetentionCategory[] {
  const grace = settings.relationshipGraceDays;
  return [
  {
    category: 'identity.contacts',
    table: 'contacts',
    key: 'id',
    clock: relationshipEnd,
    keep: { days: grace },
    keepText: `for the whole relationship; deleted ${grace} days after it ends (RELATIONSHIP_GRACE_DAYS)`,
    action: { kind: 'delete' },
    dataSubjects: "contact persons of member organisations (main user, billing, support)",
    personalData: ['name', 'e-mail address', 'phone number', 'role'],
    purpose: 'delivering the SMS and TEM services to the member and reaching its contact persons',
    legalBasis: 'GDPR art. 6(1)(b): needed for the contract with the member',
    processors: ['hosting'],
  },
  {
    category: 'identity.users',
    table: 'users',
    key: 'id',
    clock: relationshipEnd,
    keep: { days: grace },
    keepText: `for the whole relationship; deleted ${grace} days after it ends (RELATIONSHIP_GRACE_DAYS), with their sessions and keys`,
    action: { kind: 'delete' },
    dataSubjects: "member organisations' employees who log in",
    personalData: ['username', 'e-mail address', 'password hash (scrypt)'],
    purpose: 'logging in to the platform and securing accounts',
    legalBasis: 'GDPR art. 6(1)(b): needed for the contract with the member',
    processors: ['mail-relay', 'hosting'],
  },
  {
    category: 'identity.sessions',
    table: 'sessions',
    key: 'id',
    clock: 'expires_at',
    keep: { days: 30 },
    keepText: '30 days after the session expired',
    action: { kind: 'delete' },
    dataSubjects: "member organisations' employees who log in",
    personalData: ['the link between a login session and its user'],
    purpose: 'keeping a user logged in, and tracing a suspected leak',
    legalBasis: 'GDPR art. 6(1)(f): legitimate interest in securing accounts',
    processors: ['hosting'],
  },
  {
    category: 'identity.password-resets',
    table: 'password_resets',
    key: 'id',
    clock: 'created_at',
    keep: { days: 7 },
    keepText: '7 days after the reset link was made',
    action: { kind: 'delete' },
    dataSubjects: "member organisations' employees who log in",
    personalData: ['the link between a reset link and its user'],
    purpose: 'letting a user choose a new password',
    legalBasis: 'GDPR art. 6(1)(f): legitimate interest in securing accounts',
    processors: ['hosting'],
  },
  {
    category: 'sms.messages',
    table: 'sms_messages',
    key: 'id',
    clock: 'retain_from',
    floor: 'created_at',
    keep: { months: 6 },
    keepText: '6 calendar months after sending (after creation, for messages never sent)',
    action: { kind: 'anonymise', columns: ['phone', 'email', 'fields', 'text'], marker: 'anonymised_at' },
    dataSubjects: "recipients of members' SMS",
    personalData: ['phone number', 'e-mail address', 'personalised text and fields'],
    purpose: 'sending SMS on behalf of members (TGG is processor), and reporting their delivery',
    legalBasis: "GDPR art. 28: processing on the member's instructions",
    processors: ['sms-gateway', 'mail-relay', 'hosting'],
  },
  {
    category: 'sms.batch-texts',
    table: 'sms_batches',
    key: 'id',
    clock: 'created_at',
    keep: { months: 6 },
    keepText: '6 calendar months after the batch was made; counts, segments and costs stay for billing',
    action: { kind: 'anonymise', columns: ['body'], marker: 'anonymised_at' },
    dataSubjects: "recipients of members' SMS",
    personalData: ['message template'],
    purpose: 'sending SMS on behalf of members',
    legalBasis: "GDPR art. 28: processing on the member's instructions",
    processors: ['hosting'],
  },
  {
    category: 'sms.outbox',
    table: 'sms_outbox',
    key: 'id',
    clock: 'created_at',
    keep: { days: 30 },
    keepText: '30 days after the SMS was written to the local outbox',
    action: { kind: 'delete' },
    dataSubjects: 'recipients of SMS while no SMS gateway is configured',
    personalData: ['phone number', 'text'],
    purpose: 'testing the SMS service without sending SMS',
    legalBasis: 'GDPR art. 6(1)(f): legitimate interest in testing the service',
    processors: ['hosting'],
  },
  {
    category: 'mail.transactional',
    table: 'mail_messages',
    key: 'id',
    clock: 'created_at',
    keep: { days: 30 },
    keepText: '30 days after the mail was created',
    action: { kind: 'delete' },
    dataSubjects: 'users, contact persons, newsletter subscribers and people who made a privacy request',
    personalData: ['e-mail address', 'content of service mail (password-reset and confirmation links)'],
    purpose: 'sending service mail and tracing its delivery',
    legalBasis: 'GDPR art. 6(1)(b): needed for the service',
    processors: ['mail-relay', 'hosting'],
  },
  {
    category: 'mail.outbox',
    table: 'mail_outbox',
    key: 'id',
    clock: 'created_at',
    keep: { days: 30 },
    keepText: '30 days after the mail was written to the outbox',
    action: { kind: 'delete' },
    dataSubjects: 'recipients of mail while no mail relay is configured',
    personalData: ['e-mail address', 'mail content'],
    purpose: 'keeping mail on the platform when no relay is configured (development, test)',
    legalBasis: 'GDPR art. 6(1)(f): legitimate interest in testing the service without sending mail',
    processors: ['hosting'],
  },
  ...temRetention(grace),
  ];
}

export const RETENTION_POLICY = retentionPolicy();

/** Tables that hold no personal data, each with the reason, so the coverage test can tell. */
export const TABLES_WITHOUT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  audit_log: 'actor kinds, internal ids, actions and counts only: never names, addresses or numbers',
  organizations: 'member organisations (companies): a name and the dates of the relationship',
  sms_chunks: 'progress of a batch: ids and flags',
  sms_claims: 'windows of a batch being sent: a batch id, positions and a time',
  sms_message_parts: "the SMSC's ids of each part and its delivery state",
  sms_receipts: "delivery receipts: the SMSC's message id and a status code, no number or text",
  sms_callbacks: 'status callbacks: message ids, positions and statuses, never numbers or texts',
  sms_opt_outs: 'keyed hashes (HMAC, SUPPRESSION_KEY) and masked numbers only, kept while the opt-out stands (P12); deleted with the organisation',
  api_keys: "an organisation's keys: a label, a prefix, scopes and a SHA-256 hash; a user's keys go with the user",
  kysely_migration: 'migration bookkeeping',
  kysely_migration_lock: 'migration bookkeeping',
  ...TEM_TABLES_WITHOUT_PERSONAL_DATA,
};
