// The retention policy as data (ARCHITECTURE.md, rule 9): the categories of every family in
// workers/families.ts. It drives the nightly purge, the public register (/public/register)
// and the README's table; test/retention.test.ts fails when a table is in neither this
// policy nor TABLES_WITHOUT_PERSONAL_DATA.
import { FAMILIES } from '../families.js';
import { NEWSLETTER_TABLES_WITHOUT_PERSONAL_DATA } from '../newsletter/retention.js';
import { PRIVACY_TABLES_WITHOUT_PERSONAL_DATA } from '../privacy/retention.js';
import { TEM_TABLES_WITHOUT_PERSONAL_DATA } from '../tem/retention.js';
import { DEFAULT_RETENTION_SETTINGS, policyOf, type RetentionCategory, type RetentionSettings } from './category.js';

export { PROCESSORS, type ProcessorId, type RetentionAction, type RetentionCategory, type RetentionPeriod, type RetentionSettings } from './category.js';

export function retentionPolicy(settings: RetentionSettings = DEFAULT_RETENTION_SETTINGS): readonly RetentionCategory[] {
  return policyOf(FAMILIES, settings);
}

export const RETENTION_POLICY = retentionPolicy();

/** Tables that hold no personal data, each with the reason, so the coverage test can tell. */
export const TABLES_WITHOUT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  audit_log: 'actor kinds, internal ids, actions and counts only: never names, addresses or numbers',
  organizations: 'member organisations (companies): a name, its slug and the dates of the relationship',
  sms_chunks: 'progress of a batch: ids and flags',
  sms_batch_counts: 'message counts of a batch per status: ids and numbers (deleted with the batch)',
  sms_claims: 'windows of a batch being sent: a batch id, positions and a time',
  sms_message_parts: "the SMSC's ids of each part and its delivery state",
  sms_receipts: "delivery receipts: the SMSC's message id and a status code, no number or text",
  sms_keywords: "organisations' STOP keywords",
  sms_opt_outs: 'keyed hashes (HMAC, SUPPRESSION_KEY) and masked numbers only, kept while the opt-out stands (P12); deleted with the organisation',
  api_keys:
    "an organisation's keys: a label, a prefix, scopes, a SHA-256 hash and who made it (internal ids, cleared when that user, session or key is deleted); a user's keys go with the user",
  retention_runs: 'when each retention purge ran and how many rows it removed per category',
  kysely_migration: 'migration bookkeeping',
  kysely_migration_lock: 'migration bookkeeping',
  ...TEM_TABLES_WITHOUT_PERSONAL_DATA,
  ...NEWSLETTER_TABLES_WITHOUT_PERSONAL_DATA,
  ...PRIVACY_TABLES_WITHOUT_PERSONAL_DATA,
};
