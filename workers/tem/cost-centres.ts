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

export function listCostCentres(db: Kysely<Database>, organizationId: string): Promise<TemCostCentre[]> {
  return db.selectFrom('tem_cost_centres').selectAll().where('organization_id', '=', organizationId).orderBy('code').limit(10_000).execute();
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
