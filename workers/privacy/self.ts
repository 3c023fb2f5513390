// The privacy family's own part of privacy requests: the person's other requests and the
// exports made for them. An erasure leaves each request only keyed hashes of its identifiers.
import { sql } from 'kysely';
import { item, NOTHING, personWhere, type PrivacyReach } from './reach.js';

export const privacySelf: PrivacyReach = {
  tables: ['privacy_requests', 'privacy_exports'],
  identifiers: [{ table: 'privacy_requests', column: 'email', kind: 'email' }, { table: 'privacy_requests', column: 'phone', kind: 'phone' }],
  async find(db, s) {
    const requests = await db.selectFrom('privacy_requests').select(['id', 'type', 'status', 'email', 'phone', 'name', 'message', 'received_at', 'due_at', 'completed_at']).where(personWhere(s, { email: 'email', phone: 'phone' })).execute();
    return { 'privacy.requests': requests.map(({ id, ...request }) => item('privacy_requests', { id }, request)) };
  },
  async erase(trx, s) {
    const requests = await trx
      .updateTable('privacy_requests')
      .set({ email: null, phone: null, name: null, message: null, rectification: null, code_hash: null, identifier_hashes: sql`(SELECT array_agg(DISTINCT h) FROM unnest(identifier_hashes || ${[...s.hashes]}::bytea[]) h)`, anonymised_at: sql`now()` })
      .where((eb) => eb.or([eb(personWhere(s, { email: 'email', phone: 'phone' }), '=', true), eb(sql<boolean>`identifier_hashes && ${[...s.hashes]}::bytea[]`, '=', true)]))
      .returning('id')
      .execute();
    // Requests done earlier keep only hashes: their exports are found by those.
    const exports = requests.length === 0 ? [] : await trx.deleteFrom('privacy_exports').where('request_id', 'in', requests.map((r) => r.id)).returning('id').execute();
    return { ...NOTHING, counts: { 'privacy.requests': { erased: requests.length }, 'privacy.exports': { erased: exports.length } } };
  },
};
