// The privacy family's own part of privacy requests: the person's other requests and the
// exports made for them. An erasure leaves each request only keyed hashes of its identifiers.
import { sql } from 'kysely';
import { item, NOTHING, personWhere, type PrivacyReach } from './reach.js';

export const privacySelf: PrivacyReach = {
  tables: ['privacy_requests', 'privacy_exports'],
  identifiers: [{ table: 'privacy_requests', column: 'email', kind: 'email' }, { table: 'privacy_requests', column: 'phone', kind: 'phone' }],
  async find(db, s) {
    const requests = await db
      .selectFrom('privacy_requests')
      .select(['id', 'type', 'status', 'email', 'phone', 'name', 'message', 'received_at', 'due_at', 'completed_at', 'filed_by', 'email_verified_at', 'phone_verified_at'])
      .where(personWhere(s, { email: 'email', phone: 'phone' }))
      .execute();
    return {
      'privacy.requests': requests.map(({ id, filed_by, email_verified_at, phone_verified_at, ...request }) => {
        const byEmail = request.email !== null && s.emails.includes(request.email.toLowerCase());
        const byPhone = request.phone !== null && s.phones.includes(request.phone);
        // Anyone may type an address or number into the form: a request that names the person by an
        // identifier its filer did not prove is someone else's (art. 15(4)); its other identifier,
        // name and message are not the person's to read.
        const theirs = filed_by === 'ops' || (byEmail && email_verified_at !== null) || (byPhone && phone_verified_at !== null);
        const shown = theirs ? request : { type: request.type, status: request.status, email: byEmail ? request.email : null, phone: byPhone ? request.phone : null, received_at: request.received_at, due_at: request.due_at, completed_at: request.completed_at, filedBySomeoneElse: true };
        return item('privacy_requests', { id }, shown);
      }),
    };
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
