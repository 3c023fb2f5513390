// The SMS family's part of privacy requests. TGG processes these for the member that sent them
// (art. 28): an erasure anonymises the messages as the retention purge does (P5: counts,
// segments and costs stay for billing), deletes the outbox copies, and each member is told
// how many of its rows were touched. Opt-outs are keyed hashes and stay (P12); the keyed hashes
// kept on each message (for the send path's lookups) are erased with the number and the address.
import { sql } from 'kysely';
import { item, membersOf, NOTHING, personWhere, type PrivacyReach } from '../privacy/reach.js';
import { addOptOut } from './opt-outs.js';

export const smsPrivacy: PrivacyReach = {
  tables: ['sms_messages', 'sms_outbox', 'sms_replies'],
  identifiers: [{ table: 'sms_messages', column: 'phone', kind: 'phone' }, { table: 'sms_messages', column: 'email', kind: 'email' }, { table: 'sms_replies', column: 'phone', kind: 'phone' }, { table: 'sms_outbox', column: 'recipient', kind: 'phone' }],
  async find(db, s) {
    const messages = await db
      .selectFrom('sms_messages')
      .select(['id', 'organization_id', 'batch_id', 'channel', 'phone', 'email', 'fields', 'text', 'status', 'created_at', 'sent_at', 'delivered_at'])
      .where(personWhere(s, { email: 'email', phone: 'phone' }))
      .execute();
    const replies = await db.selectFrom('sms_replies').select(['id', 'organization_id', 'phone', 'text', 'received_at']).where(personWhere(s, { phone: 'phone' })).execute();
    const optOuts = s.phoneHashes.length === 0 ? [] : await db.selectFrom('sms_opt_outs').select(['organization_id', 'masked', 'source', 'created_at']).where('phone_hash', '=', sql<Buffer>`ANY(${[...s.phoneHashes]})`).execute();
    return {
      'sms.messages': messages.map((m) =>
        item('sms_messages', m, { batchId: m.batch_id, channel: m.channel, phone: m.phone, email: m.email, fields: m.fields, text: m.text, status: m.status, createdAt: m.created_at, sentAt: m.sent_at, deliveredAt: m.delivered_at }),
      ),
      'sms.replies': replies.map((r) => item('sms_replies', r, { phone: r.phone, text: r.text, receivedAt: r.received_at })),
      'sms.opt-outs': optOuts.map((o) => item('sms_opt_outs', { id: o.masked, organization_id: o.organization_id }, { masked: o.masked, source: o.source, createdAt: o.created_at })),
    };
  },
  async erase(trx, s) {
    const messages = await trx
      .updateTable('sms_messages')
      .set({ phone: null, email: null, phone_hash: null, email_hash: null, fields: null, text: null, anonymised_at: sql`now()`, status: sql`CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END` })
      .where(personWhere(s, { email: 'email', phone: 'phone' }))
      .returning(['id', 'organization_id'])
      .execute();
    const ids = messages.map((m) => m.id);
    const outbox = await trx
      .deleteFrom('sms_outbox')
      .where((eb) => eb.or([eb(personWhere(s, { phone: 'recipient' }), '=', true), ...(ids.length ? [eb('message_id', '=', sql<number>`ANY(${ids}::bigint[])`)] : [])]))
      .returning('id')
      .execute();
    const replies = await trx.updateTable('sms_replies').set({ phone: null, text: null, anonymised_at: sql`now()` }).where(personWhere(s, { phone: 'phone' })).returning(['id', 'organization_id']).execute();
    return {
      counts: { 'sms.messages': { erased: messages.length }, 'sms.outbox': { erased: outbox.length }, 'sms.replies': { erased: replies.length }, 'sms.opt-outs': { kept: 0 } },
      kept: [],
      members: [...membersOf('sms.messages', messages), ...membersOf('sms.replies', replies)],
    };
  },
  async restrict(trx, s) {
    const held = await trx
      .updateTable('sms_messages')
      .set({ status: 'suppressed' })
      .where('status', '=', 'queued')
      .where(personWhere(s, { email: 'email', phone: 'phone' }))
      .returning(['id', 'organization_id'])
      .execute();
    return { ...NOTHING, counts: { 'sms.messages': { restricted: held.length } }, members: membersOf('sms.messages', held) };
  },
};

/** An objection (art. 21): the number opted out of every organisation that has texted it, as a STOP reply would. */
export async function optOutEverywhere(trx: Parameters<NonNullable<PrivacyReach['restrict']>>[0], s: Parameters<PrivacyReach['find']>[1], masks: readonly string[]): Promise<number> {
  const orgs = await trx.selectFrom('sms_messages').select('organization_id').distinct().where(personWhere(s, { phone: 'phone' })).execute();
  let count = 0;
  for (const { organization_id } of orgs) {
    for (const [i, hash] of s.phoneHashes.entries()) {
      await addOptOut(trx, organization_id, hash, masks[i] ?? '', 'reply');
      count += 1;
    }
  }
  return count;
}
