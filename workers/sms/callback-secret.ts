// The organisation's callback secret: the key of the HMAC on every SMS status callback.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { audit, type AuditEntry } from '../core/audit.js';

export async function callbackSecretOf(db: Db, organizationId: string): Promise<string> {
  const row = await db.selectFrom('organizations').select('callback_secret').where('id', '=', organizationId).executeTakeFirstOrThrow();
  return row.callback_secret;
}

/** Replaces the secret and stores the audit entry in the same transaction. */
export async function rotateCallbackSecret(
  db: Db,
  organizationId: string,
  actor: Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>,
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('organizations')
      // The column's default (see the migration) makes a new one.
      .set({ callback_secret: sql`DEFAULT` })
      .where('id', '=', organizationId)
      .returning('callback_secret')
      .executeTakeFirstOrThrow();
    await audit(trx, { ...actor, action: 'callback_secret.rotated', entityType: 'organization', entityId: organizationId });
    return row.callback_secret;
  });
}
