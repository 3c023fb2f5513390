// Carrier profiles: small JSON data files that map a carrier's columns and values onto ours.
// The generic profile knows the common Dutch and English names; it is used when none is named.
import { z } from 'zod';
import generic from './profiles/generic.json' with { type: 'json' };

export const FIELDS = [
  'msisdn', 'user', 'costCentre', 'date', 'time', 'datetime', 'destination', 'description', 'visitedNetwork', 'roaming',
  'type', 'direction', 'duration', 'billed', 'volumeMb', 'volumeKb', 'bundle', 'amount', 'vatRate', 'currency',
] as const;
export type Field = (typeof FIELDS)[number];

const valueMap = <K extends string>(keys: readonly [K, ...K[]]) => z.record(z.enum(keys), z.array(z.string()));
function isPattern(text: string): boolean {
  try {
    return new RegExp(text, 'iu') instanceof RegExp;
  } catch {
    return false;
  }
}

/** How an invoice line names its subscription: one rule of the profile's list (README: TEM on invoices). */
const invoiceLineRule = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('objectId') }),
  z.strictObject({ from: z.literal('property'), names: z.array(z.string()).min(1) }),
  z.strictObject({ from: z.literal('description'), pattern: z.string().refine(isPattern, 'not a regular expression') }),
]);
export type InvoiceLineRule = z.infer<typeof invoiceLineRule>;

const profileSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  columns: z.partialRecord(z.enum(FIELDS), z.array(z.string()).min(1)),
  values: z.strictObject({
    type: valueMap(['voice', 'sms', 'mms', 'data', 'voicemail', 'subscription', 'other']),
    direction: valueMap(['outgoing', 'incoming']),
    boolean: valueMap(['true', 'false']),
    bundle: valueMap(['inside', 'outside', 'free']),
  }),
  invoiceLines: z.strictObject({ subscription: z.array(invoiceLineRule).min(1) }),
});
export type Profile = z.infer<typeof profileSchema>;

const PROFILES: Readonly<Record<string, Profile>> = { generic: profileSchema.parse(generic) };
export const PROFILE_NAMES = ['generic'] as const;

export function profileNamed(name: string | null): Profile {
  const profile = PROFILES[name ?? 'generic'];
  if (!profile) throw new Error(`unknown profile`);
  return profile;
}

/** Header and value text as profiles spell it: lower case, single spaces. */
export const canonical = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/** Value text → our value, for one of the profile's value maps. */
export function valueLookup<V extends string>(map: Partial<Record<V, string[]>>): ReadonlyMap<string, V> {
  const lookup = new Map<string, V>();
  for (const [value, spellings] of Object.entries(map) as [V, string[]][]) for (const s of spellings) lookup.set(canonical(s), value);
  return lookup;
}

const CONTROL = /[\u0000-\u001f\u007f]/g; // eslint-disable-line no-control-regex -- the control characters themselves
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * A header name as an upload's errors show it (kept in jsonb): no control characters (a NUL, which
 * jsonb refuses, in a binary or UTF-16 file read as text), at most 60 characters, never cut inside
 * a surrogate pair (a lone half is refused by jsonb too).
 */
function shownName(name: string): string {
  return Array.from(name.trim().replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD')).slice(0, 60).join('');
}

export type ColumnMap = Partial<Record<Field, number>>;

export type Placement = { ok: true; columns: ColumnMap } | { ok: false; unplaced: string[]; missing: Field[]; duplicated: string[] };

/**
 * Places each header on a field; a layout without a number, a type, an amount and a date is
 * refused, and so is one naming a field's column twice by the same name (which of the two is
 * the call's date or amount would be a guess).
 */
export function placeColumns(profile: Profile, header: readonly string[]): Placement {
  const byName = new Map<string, Field>();
  for (const field of FIELDS) for (const alias of profile.columns[field] ?? []) if (!byName.has(canonical(alias))) byName.set(canonical(alias), field);
  const columns: ColumnMap = {};
  const unplaced: string[] = [];
  const duplicated: string[] = [];
  header.forEach((name, index) => {
    const field = byName.get(canonical(name));
    const placed = field === undefined ? undefined : columns[field];
    if (field && placed === undefined) columns[field] = index;
    else if (placed !== undefined && canonical(header[placed] ?? '') === canonical(name)) duplicated.push(shownName(name));
    else if (canonical(name) !== '') unplaced.push(shownName(name));
  });
  const missing = (['msisdn', 'type', 'amount'] as const).filter((f) => columns[f] === undefined) as Field[];
  if (columns.date === undefined && columns.datetime === undefined) missing.push('date');
  return missing.length === 0 && duplicated.length === 0 ? { ok: true, columns } : { ok: false, unplaced, missing, duplicated };
}
