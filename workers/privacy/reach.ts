// Helpers for the privacy sections of the families (the types are in workers/core/privacy-reach.ts).
import { sql, type RawBuilder } from 'kysely';
import type { FoundItem, MemberEffect, ReachResult, Subject } from '../core/privacy-reach.js';

export type * from '../core/privacy-reach.js';

export const NOTHING: ReachResult = { counts: {}, kept: [], members: [] };

/** Counts of rows per organisation, as MemberEffects of a category. */
export function membersOf(category: string, rows: readonly { organization_id: string | null }[]): MemberEffect[] {
  const per = new Map<string, number>();
  for (const row of rows) if (row.organization_id) per.set(row.organization_id, (per.get(row.organization_id) ?? 0) + 1);
  return [...per].map(([organizationId, count]) => ({ organizationId, category, count }));
}

export function item(table: string, row: { id: string | number; organization_id?: string | null }, data: Record<string, unknown>): FoundItem {
  return { table, id: String(row.id), organizationId: row.organization_id ?? null, data };
}

/**
 * The condition "this row is the person's": an address column compared in lower case, a number
 * column against every stored format; `= ANY(array)` so each is one index lookup.
 */
export function personWhere(s: Subject, columns: { readonly email?: string; readonly phone?: string }): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [];
  if (columns.email && s.emails.length > 0) parts.push(emailIsTheirs(s, columns.email));
  if (columns.phone && s.phones.length > 0) parts.push(phoneIsTheirs(s, columns.phone));
  return parts.length === 0 ? sql<boolean>`false` : sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

/** The address column holds one of the person's addresses (false when they gave none). */
export const emailIsTheirs = (s: Subject, column: string): RawBuilder<boolean> => (s.emails.length > 0 ? sql<boolean>`lower(${sql.ref(column)}) = ANY(${[...s.emails]}::text[])` : sql<boolean>`false`);

/** The number column holds the person's number in one of its formats (false when they gave none). */
export const phoneIsTheirs = (s: Subject, column: string): RawBuilder<boolean> => (s.phones.length > 0 ? sql<boolean>`${sql.ref(column)} = ANY(${[...s.phones]}::text[])` : sql<boolean>`false`);
