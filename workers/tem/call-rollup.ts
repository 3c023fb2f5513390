// A parse's call records summed as tem_cost_rollup holds them (per month in Amsterdam time,
// number, call type, currency and carrier cost-centre hint: exact sum, count, latest call),
// gathered row by row while the file is read and written by the parse's own transaction, the
// one that turns the upload `parsed`: a parse rolled back (a crash, a retry) leaves nothing.
import type pg from 'pg';
import { AmountSum } from './amount-sum.js';
import type { Canonical } from './normalise.js';

interface Group {
  readonly month: string;
  readonly msisdn: string;
  readonly type: string;
  readonly currency: string;
  readonly hint: string | null;
  readonly amount: AmountSum;
  records: number;
  /** The latest call (local text), and the key it was compared by (see instantOrder). */
  latest: string;
  latestOrder: string;
}

/** Sunday 0 … Saturday 6 of a date (Sakamoto's method: no Date per row). */
function weekday(year: number, month: number, day: number): number {
  const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4][month - 1] ?? 0;
  const y = month < 3 ? year - 1 : year;
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + t + day) % 7;
}

/** Whether a date ('YYYY-MM-DD…') of `month` (March 3, October 10) is its last Sunday, when the clocks change. */
function lastSundayOf(local: string, month: number): boolean {
  const day = Number(local.slice(8, 10));
  return day >= 25 && weekday(Number(local.slice(0, 4)), month, day) === 0;
}

/**
 * Local time text ordered as the instants Postgres reads it as: a time in the hour skipped on
 * the last Sunday of March (02:xx, no such time in Amsterdam) is read as 03:xx summer time, so
 * it compares as 03:xx. Every other local time keeps its text order (the hour repeated in
 * October is read as winter time throughout), but for a time that carries its offset (a zoned
 * one, values.ts zonedLocal): 02:MM:SS+02:00 on the last Sunday of October is the first 02:MM,
 * an hour before the bare one, so it compares as '01:6MM:SS' (after 01:59:59, before 02:00:00).
 */
export function instantOrder(local: string): string {
  if (local.length > 19) {
    const bare = local.slice(0, 19);
    if (local.endsWith('+02:00') && bare.charCodeAt(11) === 48 && bare.charCodeAt(12) === 50 && bare.startsWith('10', 5) && lastSundayOf(bare, 10)) return `${bare.slice(0, 11)}01:6${bare.slice(14)}`;
    return bare;
  }
  if (local.charCodeAt(11) !== 48 || local.charCodeAt(12) !== 50 || local.charCodeAt(5) !== 48 || local.charCodeAt(6) !== 51) return local; // not 03-.. 02:..
  if (!lastSundayOf(local, 3)) return local;
  return `${local.slice(0, 11)}03${local.slice(13)}`;
}

export class CallRollup {
  private readonly groups = new Map<string, Group>();

  /** One stored call; `startLocal` is its time as stored ('YYYY-MM-DD HH:MM:SS', Amsterdam, with its offset when the file gave a zone). */
  add(record: Canonical, startLocal: string): void {
    const month = `${startLocal.slice(0, 7)}-01`;
    const key = `${month}\u0000${record.msisdn}\u0000${record.type}\u0000${record.currency}\u0000${record.costCentreHint ?? '\u0001'}`;
    const order = instantOrder(startLocal);
    const group = this.groups.get(key);
    if (!group) {
      const amount = new AmountSum();
      amount.add(record.amount);
      this.groups.set(key, { month, msisdn: record.msisdn, type: record.type, currency: record.currency, hint: record.costCentreHint, amount, records: 1, latest: startLocal, latestOrder: order });
      return;
    }
    group.amount.add(record.amount);
    group.records += 1;
    if (order > group.latestOrder) {
      group.latest = startLocal;
      group.latestOrder = order;
    }
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * Adds the sums to tem_cost_rollup, in key order as the rollup's triggers do (concurrent writers
   * lock rows in one order). Inside the parse's transaction, under TimeZone Europe/Amsterdam (the
   * latest call's local text is read as the COPY read it). Its statement triggers raise the
   * organisation's report version. Also tells the trigger left for a parse of the release before
   * (migration 2026-12-05T19-10-00_tem-rollup-from-parse) that this transaction's calls are summed.
   */
  async write(client: pg.Client, organizationId: string): Promise<void> {
    await client.query(`SELECT set_config('tgg.cost_rollup_written', 'on', true)`);
    if (this.groups.size === 0) return;
    const groups = [...this.groups.values()];
    await client.query(
      `INSERT INTO tem_cost_rollup AS r (organization_id, month, source, msisdn, call_type, currency, cost_centre_hint, amount, records, retain_from)
       SELECT $1, g.month, 'call', g.msisdn, g.call_type, g.currency, g.hint, g.amount, g.records, g.latest
         FROM unnest($2::date[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::bigint[], $9::timestamptz[])
           AS g (month, msisdn, call_type, currency, hint, amount, records, latest)
        ORDER BY g.month, g.msisdn, g.call_type, g.currency, g.hint
       ON CONFLICT ON CONSTRAINT tem_cost_rollup_key DO UPDATE
         SET amount = r.amount + EXCLUDED.amount, records = r.records + EXCLUDED.records, retain_from = greatest(r.retain_from, EXCLUDED.retain_from)`,
      [
        organizationId,
        groups.map((g) => g.month), groups.map((g) => g.msisdn), groups.map((g) => g.type), groups.map((g) => g.currency), groups.map((g) => g.hint),
        groups.map((g) => g.amount.text()), groups.map((g) => g.records), groups.map((g) => g.latest),
      ],
    );
  }
}
