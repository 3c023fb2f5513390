// A message's status from its parts' states, in SQL: the same rule whether a receipt comes with
// its window's results (store.ts) or later (receipts.ts). Delivered when every part is;
// expired, failed (undeliverable or rejected) or unknown when one part is. A message whose
// parts were not all taken by the SMSC stays unknown.
import { sql, type RawBuilder } from 'kysely';

/** The error code of a message the SMSC took only some parts of: it stays unknown, whatever those parts' receipts say. */
export const PARTLY_ACCEPTED = 'partly-accepted';

/** Whether a message with this error code takes its status from its parts. */
export function followsParts(errorCode: RawBuilder<string | null>): RawBuilder<boolean> {
  return sql<boolean>`${errorCode} IS DISTINCT FROM ${PARTLY_ACCEPTED}`;
}

/**
 * The aggregates over rows with `state` and `done_at` columns that the two expressions below
 * read; done_at is the last part's done date (a delivered message's delivered_at).
 */
export const partStateAggregates = sql`bool_and(state = 'delivered') AS delivered, bool_or(state = 'expired') AS expired,
  bool_or(state IN ('undeliverable', 'rejected')) AS failed, bool_or(state = 'unknown') AS unknown, max(done_at) AS done_at`;

/** The status the aggregates in `agg` give, else `otherwise`. */
export function statusFromParts(agg: string, otherwise: RawBuilder<unknown>): RawBuilder<string> {
  const a = (column: string) => sql.ref(`${agg}.${column}`);
  return sql`CASE WHEN ${a('delivered')} THEN 'delivered' WHEN ${a('expired')} THEN 'expired' WHEN ${a('failed')} THEN 'failed' WHEN ${a('unknown')} THEN 'unknown' ELSE ${otherwise} END`;
}

/** The error code that goes with it, else `otherwise`. */
export function errorCodeFromParts(agg: string, otherwise: RawBuilder<unknown>): RawBuilder<string | null> {
  const a = (column: string) => sql.ref(`${agg}.${column}`);
  return sql`CASE WHEN ${a('delivered')} THEN NULL WHEN ${a('expired')} THEN 'expired' WHEN ${a('failed')} THEN 'undeliverable' ELSE ${otherwise} END`;
}
