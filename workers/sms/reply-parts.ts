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

export interface IncomingPart {
  /** E.164. */
  readonly from: string;
  readonly to: string;
  readonly concat: Concat;
  readonly text: string;
}

/**
 * Stores the parts of one post (or one deliver_sm) in a fixed number of statements, whatever
 * their count; answers, for each, the whole text when it completed its message (the last of
 * its parts in the list), else undefined. A part already stored is ignored. `db` is the
 * caller's transaction: the parts go with what is done with the text.
 */
export async function assembleParts(db: Kysely<Database>, suppressionKey: string, parts: readonly IncomingPart[]): Promise<Array<string | undefined>> {
  const keys = parts.map((p) => createHmac('sha256', suppressionKey).update(`reply:${p.from}|${p.to}|${p.concat.ref}|${p.concat.total}`).digest());
  const waiting = parts.flatMap((p, i) => (p.concat.total === 1 ? [] : [{ key: keys[i] as Buffer, part: p.concat.seq, total: p.concat.total, text: p.text }]));
  if (waiting.length === 0) return parts.map((p) => p.text);
  const hexes = [...new Set(waiting.map((w) => w.key.toString('hex')))].sort();
  const keyList = hexes.map((hex) => Buffer.from(hex, 'hex'));
  // One message's parts are put together one at a time, whichever sessions bring them; the
  // locks are taken in one order, so two posts never wait on each other.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${hexes}::text[]) WITH ORDINALITY AS k(k, ord) ORDER BY ord`.execute(db);
  const fresh = sql<boolean>`received_at > now() - make_interval(hours => ${PART_TTL_HOURS})`;
  await db.deleteFrom('sms_reply_parts').where('concat_key', 'in', keyList).where(sql<boolean>`NOT ${fresh}`).execute();
  await db
    .insertInto('sms_reply_parts')
    .values(waiting.map((w) => ({ concat_key: w.key, part: w.part, total: w.total, text: w.text })))
    .onConflict((oc) => oc.columns(['concat_key', 'part']).doNothing())
    .execute();
  const complete = await sql<{ concat_key: Buffer; texts: string[] }>`
    WITH done AS (
      SELECT concat_key FROM sms_reply_parts WHERE concat_key = ANY(${keyList}::bytea[])
      GROUP BY concat_key HAVING count(*) >= max(total)
    ), removed AS (
      DELETE FROM sms_reply_parts p USING done WHERE p.concat_key = done.concat_key RETURNING p.concat_key, p.part, p.text
    )
    SELECT concat_key, array_agg(text ORDER BY part) AS texts FROM removed GROUP BY concat_key`.execute(db);
  const whole = new Map(complete.rows.map((r) => [r.concat_key.toString('hex'), r.texts.join('')]));
  const last = new Map(keys.map((key, i) => [key.toString('hex'), i]));
  return parts.map((p, i) => {
    if (p.concat.total === 1) return p.text;
    const hex = (keys[i] as Buffer).toString('hex');
    return last.get(hex) === i ? whole.get(hex) : undefined;
  });
}
