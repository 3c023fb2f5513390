// A reply that is a stop word (stop-words.ts) puts its sender on opt-out lists: plain STOP on
// that of every organisation that texted the number, STOP plus a keyword on that of the
// keyword's organisation. Answers the organisation whose confirmation goes out, if any.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { PhoneResult } from '../phone/e164.js';
import { maskPhone, phoneHash } from './opt-outs.js';
import type { StopReply } from './stop-words.js';

type Number164 = Extract<PhoneResult, { ok: true }>;

async function keywordOwner(db: Kysely<Database>, keyword: string): Promise<string | undefined> {
  const row = await db.selectFrom('sms_keywords').select('organization_id').where('keyword', '=', keyword).executeTakeFirst();
  return row?.organization_id;
}

/** The organisations opted out of (those already opted out count too), and the keyword's, if the keyword is known. */
export async function optOutByReply(db: Kysely<Database>, suppressionKey: string, phone: Number164, stop: StopReply): Promise<{ organizations: string[]; keywordOwner: string | undefined }> {
  const owner = stop.kind === 'keyword' ? await keywordOwner(db, stop.keyword) : undefined;
  const hash = phoneHash(suppressionKey, phone.e164);
  const masked = maskPhone(phone.e164, phone.countryCallingCode);
  const organizations = owner
    ? sql`SELECT ${owner}::uuid`
    : sql`SELECT DISTINCT organization_id FROM sms_messages WHERE phone = ${phone.e164}`;
  const result = await sql<{ organization_id: string }>`
    INSERT INTO sms_opt_outs (organization_id, phone_hash, masked, source)
    SELECT o.id, ${hash}::bytea, ${masked}, 'reply' FROM organizations o WHERE o.id IN (${organizations})
    ON CONFLICT (organization_id, phone_hash) DO UPDATE SET source = 'reply'
    RETURNING organization_id`.execute(db);
  return { organizations: result.rows.map((r) => r.organization_id), keywordOwner: owner };
}
