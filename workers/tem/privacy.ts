// TEM's part of privacy requests, all processed for the member (art. 28): call records and
// period charges of the person's number (and calls to it), the subscriptions it holds, the raw
// call-detail files those came from, and e-invoice lines naming the number. Invoices are
// billing records kept 7 years (P8): an erasure keeps them, marks them restricted and says so.
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { item, membersOf, NOTHING, personWhere, type PrivacyReach, type Subject } from '../privacy/reach.js';

const P8_REASON = 'invoices are billing records kept 7 years under Dutch fiscal law (art. 52 AWR, P8): kept, but restricted (stored only, never processed further)';

async function restrictInvoices(trx: Transaction<Database>, s: Subject) {
  const lines = await trx.updateTable('einvoice_lines').set({ restricted_at: sql`coalesce(restricted_at, now())` }).where(personWhere(s, { phone: 'subscription_ref' })).returning(['invoice_id', 'organization_id']).execute();
  const invoiceIds = [...new Set(lines.map((l) => l.invoice_id))];
  const invoices = invoiceIds.length === 0 ? [] : await trx.updateTable('einvoices').set({ restricted_at: sql`coalesce(restricted_at, now())` }).where('id', 'in', invoiceIds).returning(['id', 'organization_id']).execute();
  return { lines, invoices };
}

export const temPrivacy: PrivacyReach = {
  tables: ['call_records', 'tem_period_charges', 'tem_subscriptions', 'tem_upload_chunks', 'einvoices', 'einvoice_lines', 'tem_cost_rollup'],
  identifiers: [
    { table: 'call_records', column: 'msisdn', kind: 'phone' }, { table: 'call_records', column: 'destination', kind: 'phone' }, { table: 'tem_period_charges', column: 'msisdn', kind: 'phone' },
    { table: 'tem_subscriptions', column: 'msisdn', kind: 'phone' }, { table: 'tem_cost_rollup', column: 'msisdn', kind: 'phone' },
  ],
  async find(db, s) {
    const calls = await db
      .selectFrom('call_records')
      .select(['id', 'organization_id', 'msisdn', 'user_name', 'started_at', 'call_type', 'direction', 'destination', 'duration_s', 'volume_bytes', 'amount', 'currency', 'roaming', 'visited_network'])
      .where((eb) => eb.or([eb(personWhere(s, { phone: 'msisdn' }), '=', true), eb(personWhere(s, { phone: 'destination' }), '=', true)]))
      .execute();
    const charges = await db.selectFrom('tem_period_charges').select(['id', 'organization_id', 'msisdn', 'user_name', 'description', 'amount', 'currency', 'period_start', 'period_end']).where(personWhere(s, { phone: 'msisdn' })).execute();
    const subscriptions = await db.selectFrom('tem_subscriptions').select(['id', 'organization_id', 'msisdn', 'holder_name', 'first_seen_at', 'last_seen_at']).where(personWhere(s, { phone: 'msisdn' })).execute();
    const lines = await db.selectFrom('einvoice_lines').select(['id', 'organization_id', 'invoice_id', 'subscription_ref', 'item_name', 'line_amount', 'period_start', 'period_end']).where(personWhere(s, { phone: 'subscription_ref' })).execute();
    return {
      'tem.call-records': calls.map(({ id, organization_id, ...call }) => item('call_records', { id, organization_id }, call)),
      'tem.period-charges': charges.map(({ id, organization_id, ...charge }) => item('tem_period_charges', { id, organization_id }, charge)),
      'tem.subscriptions': subscriptions.map(({ id, organization_id, ...sub }) => item('tem_subscriptions', { id, organization_id }, sub)),
      'tem.invoice-lines': lines.map(({ id, organization_id, ...line }) => item('einvoice_lines', { id, organization_id }, line)),
    };
  },
  async erase(trx, s) {
    // The raw files those rows came from hold the number too: gone first, while the rows still name them.
    const uploads = await trx
      .selectFrom('call_records')
      .select('upload_id')
      .where(personWhere(s, { phone: 'msisdn' }))
      .union(trx.selectFrom('tem_period_charges').select('upload_id').where(personWhere(s, { phone: 'msisdn' })))
      .union(trx.selectFrom('call_records').select('upload_id').where(personWhere(s, { phone: 'destination' })))
      .execute();
    const uploadIds = uploads.map((u) => u.upload_id);
    const chunks = uploadIds.length === 0 ? [] : await trx.deleteFrom('tem_upload_chunks').where('upload_id', 'in', uploadIds).returning('id').execute();
    if (uploadIds.length > 0) await trx.updateTable('tem_uploads').set({ raw_deleted_at: sql`coalesce(raw_deleted_at, now())` }).where('id', 'in', uploadIds).where('kind', '=', 'cdr').execute();
    const calls = await trx.deleteFrom('call_records').where(personWhere(s, { phone: 'msisdn' })).returning(['id', 'organization_id']).execute();
    const called = await trx.updateTable('call_records').set({ destination: null }).where(personWhere(s, { phone: 'destination' })).returning(['id', 'organization_id']).execute();
    const charges = await trx.deleteFrom('tem_period_charges').where(personWhere(s, { phone: 'msisdn' })).returning(['id', 'organization_id']).execute();
    // The monthly sums of those rows went with them (triggers); any row a trigger could not match goes too.
    await trx.deleteFrom('tem_cost_rollup').where(personWhere(s, { phone: 'msisdn' })).execute();
    const subscriptions = await trx.deleteFrom('tem_subscriptions').where(personWhere(s, { phone: 'msisdn' })).returning(['id', 'organization_id']).execute();
    const { lines, invoices } = await restrictInvoices(trx, s);
    return {
      counts: {
        'tem.call-records': { erased: calls.length + called.length },
        'tem.period-charges': { erased: charges.length },
        'tem.subscriptions': { erased: subscriptions.length },
        'tem.raw-files': { erased: chunks.length },
        'tem.invoice-lines': { kept: lines.length, restricted: invoices.length },
      },
      kept: lines.length > 0 ? [{ category: 'tem.invoice-lines', reason: P8_REASON }] : [],
      members: [...membersOf('tem.call-records', [...calls, ...called]), ...membersOf('tem.period-charges', charges), ...membersOf('tem.subscriptions', subscriptions), ...membersOf('tem.invoice-lines', lines)],
    };
  },
  async restrict(trx, s) {
    const { lines } = await restrictInvoices(trx, s);
    // Its subscriptions marked: the reports leave the number's calls, charges and lines out (workers/tem/restricted.ts).
    const subscriptions = await trx.updateTable('tem_subscriptions').set({ restricted_at: sql`coalesce(restricted_at, now())` }).where(personWhere(s, { phone: 'msisdn' })).returning(['id', 'organization_id']).execute();
    return {
      ...NOTHING,
      counts: { 'tem.invoice-lines': { restricted: lines.length }, 'tem.subscriptions': { restricted: subscriptions.length } },
      members: [...membersOf('tem.invoice-lines', lines), ...membersOf('tem.subscriptions', subscriptions)],
    };
  },
  async rectify(trx, s, change) {
    if (!change.name) return NOTHING;
    const subscriptions = await trx.updateTable('tem_subscriptions').set({ holder_name: change.name, holder_set: true }).where(personWhere(s, { phone: 'msisdn' })).returning(['id', 'organization_id']).execute();
    return { ...NOTHING, counts: { 'tem.subscriptions': { rectified: subscriptions.length } }, members: membersOf('tem.subscriptions', subscriptions) };
  },
};
