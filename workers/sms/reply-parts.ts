// Concatenated replies (3GPP TS 23.040 §9.2.3.24.1 and .8: IE 00 with an 8-bit reference,
// IE 08 with a 16-bit one) are put together before they are read: each part waits in Postgres
// (never only in a process's memory, so a restart or another worker's session loses nothing)
// until the last is in. Parts older than PART_TTL are ignored and purged (retention policy).
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface Concat {
  readonly ref: number;
  readonly total: number;
  readonly seq: number;
}

export const PART_TTL_HOURS = 24;

/** The concatenation IE among a UDH's information elements (each `[iei, length, ...data]`). */
export function concatOf(elements: readonly Buffer[] | undefined): Concat | undefined {
  for (const ie of elements ?? []) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return valid({ ref: ie[2] ?? 0, total: ie[3] ?? 0, seq: ie[4] ?? 0 });
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return valid({ ref: ie.readUInt16BE(2), total: ie[4] ?? 0, seq: ie[5] ?? 0 });
  }
  return undefined;
}

/** A part count of 0 or a sequence outside 1..total is no concatenation: the text stands alone. */
function valid(concat: Concat): Concat | undefined {
  return concat.total >= 1 && concat.seq >= 1 && concat.seq <= concat.total ? concat : undefined;
}

/**
 * Stores a part; resolves with the whole text once every part is in (and removes the parts),
 * else undefined. `db` is the caller's transaction: the parts go with what is done with the text.
 */
export async function assemble(db: Kysely<Database>, suppressionKey: string, from: string, to: string, concat: Concat, text: string): Promise<string | undefined> {
  if (concat.total === 1) return text;
  const key = createHmac('sha256', suppressionKey).update(`reply:${from}|${to}|${concat.ref}|${concat.total}`).digest();
  // One message's parts are put together one at a time, whichever sessions bring them.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key.toString('hex')}, 0))`.execute(db);
  const fresh = sql<boolean>`received_at > now() - make_interval(hours => ${PART_TTL_HOURS})`;
  await db.deleteFrom('sms_reply_parts').where('concat_key', '=', key).where(sql<boolean>`NOT ${fresh}`).execute();
  await db
    .insertInto('sms_reply_parts')
    .values({ concat_key: key, part: concat.seq, total: concat.total, text })
    .onConflict((oc) => oc.columns(['concat_key', 'part']).doNothing())
    .execute();
  const parts = await db.selectFrom('sms_reply_parts').select(['part', 'text']).where('concat_key', '=', key).orderBy('part').execute();
  if (parts.length < concat.total) return undefined;
  await db.deleteFrom('sms_reply_parts').where('concat_key', '=', key).execute();
  return parts.map((p) => p.text).join('');
}
