// The retention categories of Telecom Expense Management, spread into workers/retention/policy.ts.
// Call records and raw CDR files are kept 6 months from the call (P6): whole monthly partitions
// are dropped, the boundary month's expired rows deleted in bounded batches.
import type { RetentionCategories } from '../retention/category.js';
import { CALL_RETENTION } from './calendar.js';
import { forgetCallMonth } from './cost-rollup.js';
import { einvoiceRetention } from './einvoice/retention.js';

const TEM_PURPOSE = "telecom expense management for the member: costs per subscription and cost centre, and findings that look wrong";
const TEM_BASIS = "GDPR art. 28: processing on the member's instructions";
const CALL_SUBJECTS = "users of the member's mobile subscriptions, and the people they called";

export const temRetention: RetentionCategories = ({ relationshipGraceDays: graceDays }) => [
  {
    category: 'tem.call-records',
    table: 'call_records',
    key: 'id',
    clock: 'started_at',
    partitionedByMonth: true,
    partitionDropped: forgetCallMonth,
    keep: CALL_RETENTION,
    keepText: '6 calendar months after the call; whole months are dropped by partition',
    action: { kind: 'delete' },
    dataSubjects: CALL_SUBJECTS,
    personalData: ['mobile number', "user's name", 'called number (often masked)', 'time, duration, volume and cost of each call', 'visited network'],
    purpose: TEM_PURPOSE,
    legalBasis: TEM_BASIS,
    processors: ['hosting'],
  },
  {
    category: 'tem.raw-files',
    table: 'tem_upload_chunks',
    key: 'id',
    clock: { column: 'retain_from', via: { table: 'tem_uploads', foreignKey: 'upload_id' } },
    keep: CALL_RETENTION,
    keepText: "6 calendar months after the file's latest call (after the upload, for a file never parsed); deleted once parsed unless TEM_KEEP_RAW",
    action: { kind: 'delete' },
    dataSubjects: CALL_SUBJECTS,
    personalData: ["the carriers' call-detail files as uploaded"],
    purpose: TEM_PURPOSE,
    legalBasis: TEM_BASIS,
    processors: ['hosting'],
  },
  {
    category: 'tem.period-charges',
    table: 'tem_period_charges',
    key: 'id',
    clock: 'period_end',
    keep: CALL_RETENTION,
    keepText: '6 calendar months after the end of the period charged',
    action: { kind: 'delete' },
    dataSubjects: "users of the member's mobile subscriptions",
    personalData: ['mobile number', "user's name", 'subscription fees'],
    purpose: TEM_PURPOSE,
    legalBasis: TEM_BASIS,
    processors: ['hosting'],
  },
  {
    // Its rows go with the call records and charges they sum (triggers); this is the backstop.
    category: 'tem.cost-rollup',
    table: 'tem_cost_rollup',
    key: 'id',
    clock: 'retain_from',
    keep: CALL_RETENTION,
    keepText: 'as long as the call records and period charges it sums: a row goes with the last of them, at the latest 6 calendar months after the latest call or period end it sums',
    action: { kind: 'delete' },
    dataSubjects: "users of the member's mobile subscriptions",
    personalData: ['mobile number', 'cost per month and call type'],
    purpose: TEM_PURPOSE,
    legalBasis: TEM_BASIS,
    processors: ['hosting'],
  },
  {
    category: 'tem.subscriptions',
    table: 'tem_subscriptions',
    key: 'id',
    clock: { column: 'ended_at', via: { table: 'organizations', foreignKey: 'organization_id' } },
    keep: { days: graceDays },
    keepText: `for the whole relationship; deleted ${graceDays} days after it ends (RELATIONSHIP_GRACE_DAYS)`,
    action: { kind: 'delete' },
    dataSubjects: "holders of the member's mobile subscriptions",
    personalData: ['mobile number', "holder's name", 'cost centre'],
    purpose: TEM_PURPOSE,
    legalBasis: TEM_BASIS,
    processors: ['hosting'],
  },
  ...einvoiceRetention,
];

export const TEM_TABLES_WITHOUT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  tem_uploads: 'an upload: its kind, hash, size, status, counts, and refused lines by number and reason code, never their contents',
  tem_cost_centres: "the member's cost centres: a code and a name",
  tem_report_changes: "a count per organisation of the changes to its cost reports' inputs: an organisation id and a number",
};
