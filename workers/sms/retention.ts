// The SMS family's categories of personal data and how long each is kept (see
// workers/retention/category.ts).
import type { RetentionCategories } from '../retention/category.js';

export const smsRetention: RetentionCategories = () => [
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
];
