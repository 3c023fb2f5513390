// The identity family's categories of personal data and how long each is kept (see
// workers/retention/category.ts).
import type { RetentionCategories } from '../retention/category.js';

const relationshipEnd = { column: 'ended_at', via: { table: 'organizations', foreignKey: 'organization_id' } } as const;

export const identityRetention: RetentionCategories = (settings) => {
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
  ];
};
