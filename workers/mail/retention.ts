// The mail family's categories of personal data and how long each is kept (see
// workers/retention/category.ts).
import type { RetentionCategories } from '../retention/category.js';

export const mailRetention: RetentionCategories = () => [
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
