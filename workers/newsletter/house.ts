// The house organisation: TGG itself, which sends its own newsletter ("Aanmelden nieuwsbrief"
// on its site) as controller. Made at the first start with that one list, whose public sign-up
// form the site links to; consents given there record TGG's privacy statement
// (PRIVACY_STATEMENT_VERSION). It gets no API key: ops make one (POST /ops/organizations/{id}/keys)
// when TGG's staff need it. Idempotent: a unique index allows one house organisation, an
// advisory lock makes two processes starting together agree, and a list TGG later deletes is
// not made again.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { audit } from '../core/audit.js';
import { freeSlug } from '../identity/organizations.js';

export const HOUSE_NAME = 'TGG';
export const HOUSE_LIST = { name: 'Aanmelden nieuwsbrief', description: 'De nieuwsbrief van TGG' } as const;
/** Arbitrary, fixed (beside the demo's 72_616_002 and the slugs' 72_616_003). */
const HOUSE_LOCK = 72_616_014;

export interface HouseOrganization {
  readonly organizationId: string;
  /** The list made with it; null when the organisation existed already. */
  readonly listId: string | null;
}

export async function ensureHouseOrganization(db: Db): Promise<HouseOrganization> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${HOUSE_LOCK})`.execute(trx);
    const known = await trx.selectFrom('organizations').select('id').where('house', '=', true).executeTakeFirst();
    if (known) return { organizationId: known.id, listId: null };
    const organization = await trx
      .insertInto('organizations')
      .values({ name: HOUSE_NAME, slug: await freeSlug(trx, HOUSE_NAME), house: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    const list = await trx
      .insertInto('newsletter_lists')
      .values({ organization_id: organization.id, ...HOUSE_LIST })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, { actorType: 'system', actorId: 'startup', organizationId: organization.id, action: 'organization.created', entityType: 'organization', entityId: organization.id });
    return { organizationId: organization.id, listId: list.id };
  });
}
