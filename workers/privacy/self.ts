// The privacy family's own part of privacy requests: the person's other requests and the
// exports made for them. An erasure leaves each request only keyed hashes of its identifiers.
import { sql } from 'kysely';
import { emailIsTheirs, item, NOTHING, personWhere, phoneIsTheirs, type PrivacyReach, type Subject } from './reach.js';

/**
 * The requests an erasure anonymises whole: one whose identifier naming the person was proved (or
 * ops filed it), one anonymised to their hashes, and one nobody verified (whoever typed it, it
 * expires). Anyone may type an address or number into the form: a request someone verified by
 * another identifier is theirs, and loses only the person's address or number (art. 15(4)).
 */
const erasedWhole = (s: Subject) =>
  sql<boolean>`((${emailIsTheirs(s, 'email')} AND (email_verified_at IS NOT NULL OR filed_by = 'ops'))
    OR (${phoneIsTheirs(s, 'phone')} AND (phone_verified_at IS NOT NULL OR filed_by = 'ops'))
    OR identifier_hashes && ${[...s.hashes]}::bytea[]
    OR (${personWhere(s, { email: 'email', phone: 'phone' })} AND email_verified_at IS NULL AND phone_verified_at IS NULL AND filed_by = 'public'))`;

/**
 * The person's addresses and numbers, in every form the subject knows (`06-…`, `+31 6 …`), as
 * one Postgres regular expression (each character escaped; not inside a longer number): what
 * an erasure takes out of the text someone else wrote about them.
 */
function writtenIdentifiers(s: Subject): string | null {
  const forms = [...s.emails, ...s.phones].sort((a, b) => b.length - a.length).map((f) => f.replace(/[^\p{L}\p{N}]/gu, '\\$&'));
  return forms.length === 0 ? null : `(?<![0-9])(${forms.join('|')})(?![0-9])`;
}

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
      .where(erasedWhole(s))
      .returning('id')
      .execute();
    // Someone else's verified request that named the person: the person's address or number goes
    // (from its fields, and as written in its message), the filer's own stay.
    const written = writtenIdentifiers(s);
    const named = await trx
      .updateTable('privacy_requests')
      .set({
        email: sql`CASE WHEN ${emailIsTheirs(s, 'email')} THEN NULL ELSE email END`,
        phone: sql`CASE WHEN ${phoneIsTheirs(s, 'phone')} THEN NULL ELSE phone END`,
        message: written === null ? sql`message` : sql`regexp_replace(message, ${written}, '[erased]', 'gi')`,
      })
      .where(personWhere(s, { email: 'email', phone: 'phone' }))
      .where(sql<boolean>`NOT ${erasedWhole(s)}`)
      .returning('id')
      .execute();
    // Requests done earlier keep only hashes: their exports are found by those.
    const exports = requests.length === 0 ? [] : await trx.deleteFrom('privacy_exports').where('request_id', 'in', requests.map((r) => r.id)).returning('id').execute();
    return { ...NOTHING, counts: { 'privacy.requests': { erased: requests.length + named.length }, 'privacy.exports': { erased: exports.length } } };
  },
};
