// STOP keywords: "STOP <keyword>" opts out of the organisation that owns the keyword only.
// A keyword is unique on the whole platform (it must name one organisation whichever sending
// number the reply reaches), folded like a reply (stop-words.ts); at most MAX_KEYWORDS each.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { ConflictError, NotFoundError } from '../core/domain-errors.js';

export const MAX_KEYWORDS = 10;

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'organizationId'>;
const TAKEN = 'This keyword is taken.';

/** Claims a keyword, audited in the same transaction; ConflictError when taken or over the cap. */
export async function addKeyword(db: Kysely<Database>, organizationId: string, keyword: string, actor: Actor): Promise<'created' | 'exists'> {
  return db.transaction().execute(async (trx) => {
    // One organisation's additions one at a time, so the cap holds.
    await sql`SELECT 1 FROM organizations WHERE id = ${organizationId} FOR UPDATE`.execute(trx);
    const owner = await trx.selectFrom('sms_keywords').select('organization_id').where('keyword', '=', keyword).executeTakeFirst();
    if (owner?.organization_id === organizationId) return 'exists';
    if (owner) throw new ConflictError(TAKEN, 'body.keyword');
    const count = await trx.selectFrom('sms_keywords').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_KEYWORDS) throw new ConflictError(`An organisation has at most ${MAX_KEYWORDS} keywords.`, 'body.keyword');
    const inserted = await trx
      .insertInto('sms_keywords')
      .values({ keyword, organization_id: organizationId })
      .onConflict((oc) => oc.column('keyword').doNothing())
      .returning('keyword')
      .executeTakeFirst();
    if (!inserted) throw new ConflictError(TAKEN, 'body.keyword');
    await audit(trx, { ...actor, action: 'sms.keyword.created', entityType: 'sms_keyword', entityId: keyword });
    return 'created';
  });
}

export async function listKeywords(db: Kysely<Database>, organizationId: string) {
  return db.selectFrom('sms_keywords').select(['keyword', 'created_at']).where('organization_id', '=', organizationId).orderBy('keyword').execute();
}

/** Gives a keyword up, audited in the same transaction; NotFoundError when it is not this organisation's. */
export async function removeKeyword(db: Kysely<Database>, organizationId: string, keyword: string, actor: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('sms_keywords').where('organization_id', '=', organizationId).where('keyword', '=', keyword).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('Not a keyword of this organisation.');
    await audit(trx, { ...actor, action: 'sms.keyword.removed', entityType: 'sms_keyword', entityId: keyword });
  });
}

/** The text that confirms an opt-out by reply; null is the default. */
export async function optOutConfirmationOf(db: Kysely<Database>, organizationId: string): Promise<string | null> {
  const row = await db.selectFrom('organizations').select('sms_opt_out_confirmation').where('id', '=', organizationId).executeTakeFirstOrThrow();
  return row.sms_opt_out_confirmation;
}

/** Sets the confirmation text, audited in the same transaction. */
export async function setOptOutConfirmation(db: Kysely<Database>, organizationId: string, text: string | null, actor: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('organizations').set({ sms_opt_out_confirmation: text }).where('id', '=', organizationId).execute();
    await audit(trx, { ...actor, action: 'sms.settings.changed', entityType: 'organization', entityId: organizationId });
  });
}
