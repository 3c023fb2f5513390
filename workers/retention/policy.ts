// The retention policy as data (DESIGN rule 9). One entry per category of personal data: it
// drives the nightly purge, the public register (/public/register) and the README's table.
// Each domain adds its categories here when it adds its tables; test/retention-coverage.test.ts
// fails when a table is in neither this list nor TABLES_WITHOUT_PERSONAL_DATA.
import type { Database } from '../../db/schema.js';

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
  /** Timestamp column that starts the clock. */
  readonly clock: string;
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

export const RETENTION_POLICY: readonly RetentionCategory[] = [
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
];

/** Tables that hold no personal data, each with the reason, so the coverage test can tell. */
export const TABLES_WITHOUT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  audit_log: 'actor kinds, internal ids, actions and counts only: never names, addresses or numbers',
  kysely_migration: 'migration bookkeeping',
  kysely_migration_lock: 'migration bookkeeping',
};
