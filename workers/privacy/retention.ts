// The privacy family's retention categories (workers/retention/category.ts).
import type { RetentionCategories } from '../retention/category.js';

const SUBJECTS = 'people who made a privacy request';
const BASIS = 'GDPR art. 6(1)(c): answering requests under art. 12-22, and proving it';

export const privacyRetention: RetentionCategories = ({ privacyProofYears: years }) => [
  {
    category: 'privacy.requests',
    table: 'privacy_requests',
    key: 'id',
    clock: 'received_at',
    keep: { years },
    keepText: `${years} years after receipt (PRIVACY_PROOF_YEARS), as proof of compliance; identifiers only until the request is done (then keyed hashes), unverified ones expire after 7 days`,
    action: { kind: 'delete' },
    dataSubjects: SUBJECTS,
    personalData: ['e-mail address', 'phone number', 'name', 'message', 'proposed corrections'],
    purpose: 'answering privacy requests (access, correction, erasure, restriction, objection, complaints)',
    legalBasis: BASIS,
    processors: ['hosting', 'mail-relay', 'sms-gateway'],
  },
  {
    category: 'privacy.exports',
    table: 'privacy_exports',
    key: 'id',
    clock: 'created_at',
    keep: { days: 7 },
    keepText: '7 days after it was made (the validity of its link)',
    action: { kind: 'delete' },
    dataSubjects: SUBJECTS,
    personalData: ['everything held on the person (the access export)'],
    purpose: 'handing the person their data (art. 15, 20)',
    legalBasis: BASIS,
    processors: ['hosting'],
  },
];

export const PRIVACY_TABLES_WITHOUT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  privacy_erasure_ledger: 'keyed hashes (HMAC, SUPPRESSION_KEY) of erased identifiers, so a restore can be replayed',
  privacy_restrictions: 'keyed hashes of restricted identifiers, checked before any SMS or mail',
  privacy_notices: "counts per category and a request's id, told to the member whose data it was",
};
