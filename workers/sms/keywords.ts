// STOP keywords: "STOP <keyword>" opts out of the organisation that owns the keyword only.
// A keyword is unique on the whole platform (it must name one organisation whichever sending
// number the reply reaches), folded like a reply (stop-words.ts); at most MAX_KEYWORDS each.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export const MAX_KEYWORDS = 10;

export type KeywordOutcome = 'created' | 'exists' | 'taken' | 'too-many';

export async function addKeyword(db: Kysely<Database>, organizationId: string, keyword: string): Promise<KeywordOutcome> {
  return db.transaction().execute(async (trx) => {
    // One organisation's additions one at a time, so the cap holds.
    await sql`SELECT 1 FROM organizations WHERE id = ${organizationId} FOR UPDATE`.execute(trx);
    const owner = await trx.selectFrom('sms_keywords').select('organization_id').where('keyword', '=', keyword).executeTakeFirst();
    if (owner) return owner.organization_id === organizationId ? 'exists' : 'taken';
    const count = await trx.selectFrom('sms_keywords').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_KEYWORDS) return 'too-many';
    const inserted = await trx
      .insertInto('sms_keywords')
      .values({ keyword, organization_id: organizationId })
      .onConflict((oc) => oc.column('keyword').doNothing())
      .returning('keyword')
      .executeTakeFirst();
    return inserted ? 'created' : 'taken';
  });
}

export async function listKeywords(db: Kysely<Database>, organizationId: string) {
  return db.selectFrom('sms_keywords').select(['keyword', 'created_at']).where('organization_id', '=', organizationId).orderBy('keyword').execute();
}

export async function removeKeyword(db: Kysely<Database>, organizationId: string, keyword: string): Promise<boolean> {
  const result = await db.deleteFrom('sms_keywords').where('organization_id', '=', organizationId).where('keyword', '=', keyword).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
