// On the first start against an empty database (outside production), a demo organisation
// with an API key, so the README's curl examples work at once.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { insertOrganization } from './organizations.js';

/** Arbitrary, fixed: two processes starting together create one demo organisation. */
const DEMO_LOCK = 72_616_002;

export interface DemoOrganization {
  readonly organizationId: string;
  /** What its users log in with, with their username. */
  readonly slug: string;
  readonly key: string;
}

export async function ensureDemoOrganization(db: Db): Promise<DemoOrganization | undefined> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${DEMO_LOCK})`.execute(trx);
    const any = await trx.selectFrom('organizations').select('id').where('house', '=', false).limit(1).executeTakeFirst();
    if (any) return undefined;
    const { organization, apiKey } = await insertOrganization(trx, 'Demo organisation', null);
    return { organizationId: organization.id, slug: organization.slug, key: apiKey.key };
  });
}

/** Printed to the terminal once, never through the logger: log lines hold no keys. */
export function demoBanner(demo: DemoOrganization, publicUrl: string): string {
  return [
    '',
    '  A demo organisation was created. Its API key (shown this once, not stored):',
    '',
    `    ${demo.key}`,
    '',
    `  Try: curl -s -H "Authorization: Bearer ${demo.key}" ${publicUrl}/v1/api-keys`,
    '',
    `  Its users log in with "organization":"${demo.slug}" and their username.`,
    '',
  ].join('\n');
}
