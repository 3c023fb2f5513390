// Every migration, listed once, so the same Migrator runs under tsx, vitest and compiled JS.
import type { Migration } from 'kysely';
import * as platformCore from './2026-11-28T08-00-00_platform-core.js';
import * as identity from './2026-11-28T09-00-00_identity.js';
import * as sms from './2026-11-28T10-00-00_sms.js';
import * as smsDelivery from './2026-11-28T11-00-00_sms-delivery.js';
import * as identitySecurity from './2026-12-05T08-00-00_identity-security.js';
import * as smsRetention from './2026-12-05T08-10-00_sms-retention.js';
import * as smsStop from './2026-12-05T08-20-00_sms-stop.js';
import * as smsReceiptDetails from './2026-12-05T08-30-00_sms-receipt-details.js';
import * as temCdr from './2026-12-05T09-00-00_tem-cdr.js';
import * as temEinvoice from './2026-12-05T09-30-00_tem-einvoice.js';
import * as newsletter from './2026-12-05T09-40-00_newsletter.js';
import * as temReconcile from './2026-12-05T10-20-00_tem-reconcile.js';
import * as newsletterCampaigns from './2026-12-05T10-30-00_newsletter-campaigns.js';
import * as languages from './2026-12-05T10-40-00_languages.js';
import * as houseOrganization from './2026-12-05T10-41-00_house-organization.js';
import * as newsletterBounces from './2026-12-05T10-42-00_newsletter-bounces.js';
import * as privacy from './2026-12-05T10-50-00_privacy.js';
import * as smsBatchCounts from './2026-12-05T11-10-00_sms-batch-counts.js';
import * as retentionRuns from './2026-12-05T11-20-00_retention-runs.js';
import * as newsletterDeliveriesByHash from './2026-12-05T11-40-00_newsletter-deliveries-by-hash.js';
import * as newsletterListLanguage from './2026-12-05T13-30-00_newsletter-list-language.js';
import * as temRestrictedSubscriptions from './2026-12-05T13-40-00_tem-restricted-subscriptions.js';
import * as privacyLookups from './2026-12-05T13-50-00_privacy-lookups.js';
import * as temCostRollup from './2026-12-05T16-30-00_tem-cost-rollup.js';
import * as temRollupFromParse from './2026-12-05T19-10-00_tem-rollup-from-parse.js';
import * as smsPartsNoFk from './2026-12-06T01-00-00_sms-parts-no-fk.js';
import * as smsMessagesFillfactor from './2026-12-06T01-10-00_sms-messages-fillfactor.js';
import * as smsMessagesThreeVersions from './2026-12-06T20-10-00_sms-messages-three-versions.js';
import * as temUploadCharset from './2026-12-06T21-00-00_tem-upload-charset.js';
import * as smsPartsWaitingIndex from './2026-12-07T01-00-00_sms-parts-waiting-index.js';
import * as smsMessageHashes from './2026-12-08T03-00-00_sms-message-hashes.js';
import * as auditActorLive from './2026-12-08T04-00-00_audit-actor-live.js';
import * as temInvoiceMonths from './2026-12-08T05-00-00_tem-invoice-months.js';
import * as smsOptOutConfirmationsPerOrganization from './2026-12-09T03-00-00_sms-opt-out-confirmations-per-organization.js';

export const migrations: Record<string, Migration> = {
  '2026-11-28T08-00-00_platform-core': platformCore,
  '2026-11-28T09-00-00_identity': identity,
  '2026-11-28T10-00-00_sms': sms,
  '2026-11-28T11-00-00_sms-delivery': smsDelivery,
  '2026-12-05T08-00-00_identity-security': identitySecurity,
  '2026-12-05T08-10-00_sms-retention': smsRetention,
  '2026-12-05T08-20-00_sms-stop': smsStop,
  '2026-12-05T08-30-00_sms-receipt-details': smsReceiptDetails,
  '2026-12-05T09-00-00_tem-cdr': temCdr,
  '2026-12-05T09-30-00_tem-einvoice': temEinvoice,
  '2026-12-05T09-40-00_newsletter': newsletter,
  '2026-12-05T10-20-00_tem-reconcile': temReconcile,
  '2026-12-05T10-30-00_newsletter-campaigns': newsletterCampaigns,
  '2026-12-05T10-40-00_languages': languages,
  '2026-12-05T10-41-00_house-organization': houseOrganization,
  '2026-12-05T10-42-00_newsletter-bounces': newsletterBounces,
  '2026-12-05T10-50-00_privacy': privacy,
  '2026-12-05T11-10-00_sms-batch-counts': smsBatchCounts,
  '2026-12-05T11-20-00_retention-runs': retentionRuns,
  '2026-12-05T11-40-00_newsletter-deliveries-by-hash': newsletterDeliveriesByHash,
  '2026-12-05T13-30-00_newsletter-list-language': newsletterListLanguage,
  '2026-12-05T13-40-00_tem-restricted-subscriptions': temRestrictedSubscriptions,
  '2026-12-05T13-50-00_privacy-lookups': privacyLookups,
  '2026-12-05T16-30-00_tem-cost-rollup': temCostRollup,
  '2026-12-05T19-10-00_tem-rollup-from-parse': temRollupFromParse,
  '2026-12-06T01-00-00_sms-parts-no-fk': smsPartsNoFk,
  '2026-12-06T01-10-00_sms-messages-fillfactor': smsMessagesFillfactor,
  '2026-12-06T20-10-00_sms-messages-three-versions': smsMessagesThreeVersions,
  '2026-12-06T21-00-00_tem-upload-charset': temUploadCharset,
  '2026-12-07T01-00-00_sms-parts-waiting-index': smsPartsWaitingIndex,
  '2026-12-08T03-00-00_sms-message-hashes': smsMessageHashes,
  '2026-12-08T04-00-00_audit-actor-live': auditActorLive,
  '2026-12-08T05-00-00_tem-invoice-months': temInvoiceMonths,
  '2026-12-09T03-00-00_sms-opt-out-confirmations-per-organization': smsOptOutConfirmationsPerOrganization,
};
