// On the first start against an empty database (outside production), a demo organisation
// with an API key, so the README's curl examples work at once.
import type { Db } from '../../db/database.js';
import { countOrganizations, createOrganization } from './organizations.js';

export async function ensureDemoOrganization(db: Db): Promise<{ organizationId: string; key: string } | undefined> {
  if ((await countOrganizations(db)) > 0) return undefined;
  const { organization, apiKey } = await createOrganization(db, 'Demo organisation');
  return { organizationId: organization.id, key: apiKey.key };
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
