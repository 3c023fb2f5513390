// Keyset pagination on (created_at, id), for every list ordered by creation. The key carries
// created_at to the microsecond, as Postgres stores it (a JavaScript Date has milliseconds:
// rounding the column to match made every page sort the organisation's rows instead of
// reading the (organization_id, created_at, id) index).
import { sql, type RawBuilder } from 'kysely';

/** A row's place in the order: created_at as microseconds since the epoch, and its id. */
export interface Keyset {
  readonly micros: string;
  readonly id: string;
}

/** Select this as `keyset_micros` beside the row: what the next page's key is made of. */
export const keysetMicros: RawBuilder<string> = sql<string>`(extract(epoch FROM created_at) * 1000000)::bigint::text`;

/** Rows after `key` in ascending order (or before it, descending). */
export function afterKeyset(key: Keyset, direction: 'asc' | 'desc'): RawBuilder<boolean> {
  const at = sql`timestamptz 'epoch' + ${key.micros}::bigint * interval '1 microsecond'`;
  return sql<boolean>`(created_at, id) ${sql.raw(direction === 'asc' ? '>' : '<')} (${at}, ${key.id}::uuid)`;
}

/** A page from `limit + 1` rows: the first `limit`, and the key after them when there are more. */
export function keysetPage<T extends { id: string; keyset_micros: string }>(rows: readonly T[], limit: number): { items: T[]; next: Keyset | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { micros: last.keyset_micros, id: last.id } : null };
}
