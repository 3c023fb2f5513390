// On the first start against an empty database (outside production), a demo organisation
// with an API key, so the README's curl examples work at once.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { insertOrganization } from './organizations.js';

/** Arbitrary, fixed: two processes starting together create one demo organisation. */
const DEMO_LOCK = 72_616_002;

export async function ensureDemoOrganization(db: Db): Promise<{ organizationId: string; key: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${DEMO_LOCK})`.execute(trx);
    const any = await trx.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
    if (any) return undefined;
    const { organization, apiKey } = await insertOrganization(trx, 'Demo organisation');
    return { organizationId: organization.id, key: apiKey.key };
  });
}

/** Printed to the terminal once, never through the logger: log lines hold no keys. */
export function demoBanner(demo: { organizationId: string; key: string }, publicUrl: string): string {
  return [
    '',
    '  A demo organisation was created. Its API key (shown this once, not stored):',
    '',
    `    ${demo.key}`,
    '',
    `  Try: curl -s -H "Authorization: Bearer ${demo.key}" ${publicUrl}/v1/api-keys`,
    '',
  ].join('\n');
}
