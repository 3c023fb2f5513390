// The organisation's cost centres: a code and a name. Deleting one leaves its subscriptions
// unallocated (the carrier's hint applies again).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { TemCostCentre } from '../../db/schema.js';

export interface CostCentreInput {
  readonly code: string;
  readonly name: string;
}

const isDuplicate = (error: unknown) => (error as { code?: string }).code === '23505';

/** Ordered by code (unique in the organisation, its index serves the order); `after` is the last code of the previous page. */
export async function listCostCentres(db: Kysely<Database>, organizationId: string, options: { limit: number; after?: string }): Promise<{ items: TemCostCentre[]; next: string | null }> {
  let query = db.selectFrom('tem_cost_centres').selectAll().where('organization_id', '=', organizationId);
  if (options.after !== undefined) query = query.where('code', '>', options.after);
  const rows = await query.orderBy('code').limit(options.limit + 1).execute();
  const items = rows.slice(0, options.limit);
  return { items, next: rows.length > options.limit ? (items.at(-1)?.code ?? null) : null };
}

export function findCostCentre(db: Kysely<Database>, organizationId: string, id: string): Promise<TemCostCentre | undefined> {
  return db.selectFrom('tem_cost_centres').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** null when the code is taken. */
export async function createCostCentre(db: Kysely<Database>, organizationId: string, input: CostCentreInput): Promise<TemCostCentre | null> {
  try {
    return await db.insertInto('tem_cost_centres').values({ organization_id: organizationId, ...input }).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isDuplicate(error)) return null;
    throw error;
  }
}

/** undefined when there is no such cost centre, null when the code is taken. */
export async function updateCostCentre(db: Kysely<Database>, organizationId: string, id: string, input: CostCentreInput): Promise<TemCostCentre | null | undefined> {
  try {
    return await db.updateTable('tem_cost_centres').set(input).where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
  } catch (error) {
    if (isDuplicate(error)) return null;
    throw error;
  }
}

export async function deleteCostCentre(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('tem_cost_centres').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
