// The identity family's part of privacy requests (workers/privacy/reach.ts): users and contact
// persons by address or number. TGG is the controller here; sessions and reset links go with
// their user (ON DELETE CASCADE).
import { item, NOTHING, personWhere, type PrivacyReach } from '../privacy/reach.js';

export const identityPrivacy: PrivacyReach = {
  tables: ['users', 'contacts', 'sessions', 'password_resets'],
  identifiers: [{ table: 'users', column: 'email', kind: 'email' }, { table: 'contacts', column: 'email', kind: 'email' }, { table: 'contacts', column: 'phone', kind: 'phone' }],
  async find(db, s) {
    const users = await db.selectFrom('users').select(['id', 'organization_id', 'username', 'email', 'role', 'created_at']).where(personWhere(s, { email: 'email' })).execute();
    const contacts = await db.selectFrom('contacts').select(['id', 'organization_id', 'role', 'name', 'email', 'phone', 'created_at']).where(personWhere(s, { email: 'email', phone: 'phone' })).execute();
    return {
      'identity.users': users.map((u) => item('users', u, { username: u.username, email: u.email, role: u.role, createdAt: u.created_at })),
      'identity.contacts': contacts.map((c) => item('contacts', c, { role: c.role, name: c.name, email: c.email, phone: c.phone, createdAt: c.created_at })),
    };
  },
  async erase(trx, s) {
    const users = await trx.deleteFrom('users').where(personWhere(s, { email: 'email' })).returning('id').execute();
    const contacts = await trx.deleteFrom('contacts').where(personWhere(s, { email: 'email', phone: 'phone' })).returning('id').execute();
    return { ...NOTHING, counts: { 'identity.users': { erased: users.length }, 'identity.contacts': { erased: contacts.length } } };
  },
  async rectify(trx, s, change) {
    const set = { ...(change.name ? { name: change.name } : {}), ...(change.email ? { email: change.email } : {}), ...(change.e164 ? { phone: change.e164 } : {}) };
    const contacts = Object.keys(set).length === 0 ? [] : await trx.updateTable('contacts').set(set).where(personWhere(s, { email: 'email', phone: 'phone' })).returning('id').execute();
    const users = change.email ? await trx.updateTable('users').set({ email: change.email }).where(personWhere(s, { email: 'email' })).returning('id').execute() : [];
    return { ...NOTHING, counts: { 'identity.contacts': { rectified: contacts.length }, 'identity.users': { rectified: users.length } } };
  },
};
