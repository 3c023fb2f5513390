// Reading stored e-invoices, every query scoped to the organisation.
import type { Kysely } from 'kysely';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../../db/keyset.js';
import type { Database } from '../../../db/schema.js';
import type { Einvoice, EinvoiceLine } from '../../../db/schema.js';

export async function listEinvoices(db: Kysely<Database>, organizationId: string, options: { limit: number; after?: Keyset }): Promise<{ items: Einvoice[]; next: Keyset | null }> {
  let query = db.selectFrom('einvoices').selectAll().select(keysetMicros.as('keyset_micros')).where('organization_id', '=', organizationId);
  if (options.after) query = query.where(afterKeyset(options.after, 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  const { items, next } = keysetPage(rows, options.limit);
  return { items: items.map(({ keyset_micros: _, ...invoice }) => invoice), next };
}

export function findEinvoice(db: Kysely<Database>, organizationId: string, id: string): Promise<Einvoice | undefined> {
  return db.selectFrom('einvoices').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** A line with the cost centre of its subscription (ours, else the carrier's hint; null when unallocated). */
export type AllocatedLine = EinvoiceLine & { cost_centre: string | null };

/** Lines in document order after `afterSeq`, optionally only those of one subscription (E.164). */
export async function einvoiceLines(db: Kysely<Database>, organizationId: string, invoiceId: string, options: { limit: number; afterSeq?: number; subscription?: string }): Promise<{ items: AllocatedLine[]; next: number | null }> {
  let query = db
    .selectFrom('einvoice_lines as l')
    .leftJoin('tem_subscriptions as s', (join) => join.onRef('s.organization_id', '=', 'l.organization_id').onRef('s.msisdn', '=', 'l.subscription_ref'))
    .leftJoin('tem_cost_centres as c', 'c.id', 's.cost_centre_id')
    .selectAll('l')
    .select((eb) => eb.fn.coalesce('c.code', 's.cost_centre_hint').as('cost_centre'))
    .where('l.organization_id', '=', organizationId)
    .where('l.invoice_id', '=', invoiceId);
  if (options.afterSeq !== undefined) query = query.where('l.seq', '>', options.afterSeq);
  if (options.subscription !== undefined) query = query.where('l.subscription_ref', '=', options.subscription);
  const rows = await query.orderBy('l.seq').limit(options.limit + 1).execute();
  const items = rows.slice(0, options.limit);
  return { items, next: rows.length > options.limit ? (items.at(-1)?.seq ?? null) : null };
}
