// One data row of a call-detail file, by its profile's column map, into our canonical record:
// a call (it has a call time), a period charge (it has none), or a refusal with a reason code.
import type { CallType } from '../../db/schema.js';
import { normalizePhone } from '../phone/e164.js';
import { canonical, valueLookup, type ColumnMap, type Field, type Profile } from './profile.js';
import { parseDate, parseDateTime, parseDecimal, parseDuration, parseTime, scaleDecimal, type DecimalStyle } from './values.js';

export interface Canonical {
  readonly line: number;
  readonly msisdn: string;
  readonly userName: string | null;
  /** Local Europe/Amsterdam time 'YYYY-MM-DD HH:MM:SS'; null for a period charge. */
  readonly startLocal: string | null;
  readonly type: CallType;
  readonly direction: 'outgoing' | 'incoming' | null;
  readonly destination: string | null;
  readonly destinationMasked: boolean;
  readonly description: string | null;
  readonly durationS: number | null;
  readonly billedS: number | null;
  readonly volumeBytes: number | null;
  readonly bundle: string | null;
  /** Exact decimal text, such as '1228.80'. */
  readonly amount: string;
  readonly currency: string;
  readonly vatRate: string | null;
  readonly roaming: boolean;
  readonly visitedNetwork: string | null;
  readonly costCentreHint: string | null;
}

export type Normalised = { ok: true; record: Canonical } | { ok: false; line: number; code: string; column?: Field };

/** Lookups and the file's decimal style, made once per file. */
export function normaliser(profile: Profile, columns: ColumnMap, style: DecimalStyle) {
  const types = valueLookup(profile.values.type);
  const directions = valueLookup(profile.values.direction);
  const booleans = valueLookup(profile.values.boolean);
  const bundles = valueLookup(profile.values.bundle);
  const phones = new Map<string, string | null>();

  return (cells: readonly string[], line: number): Normalised => {
    const text = (field: Field): string => {
      const index = columns[field];
      return index === undefined ? '' : (cells[index] ?? '').trim();
    };
    const orNull = (field: Field) => text(field) || null;
    const refuse = (code: string, column: Field): Normalised => ({ ok: false, line, code, column });

    const rawNumber = text('msisdn');
    let msisdn = phones.get(rawNumber);
    if (msisdn === undefined) {
      const phone = normalizePhone(rawNumber);
      msisdn = phone.ok ? phone.e164 : null;
      phones.set(rawNumber, msisdn);
    }
    if (!msisdn) return refuse('invalid-number', 'msisdn');

    let startLocal: string | null = null;
    if (text('datetime') !== '') {
      startLocal = parseDateTime(text('datetime'));
      if (!startLocal) return refuse('invalid-date', 'datetime');
    } else if (text('date') !== '') {
      const date = parseDate(text('date'));
      if (!date) return refuse('invalid-date', 'date');
      const time = text('time') === '' ? '00:00:00' : parseTime(text('time'));
      if (!time) return refuse('invalid-time', 'time');
      startLocal = `${date} ${time}`;
    }

    const type = types.get(canonical(text('type')));
    if (!type) return refuse('invalid-type', 'type');
    const amount = parseDecimal(text('amount'), style);
    if (amount === null) return refuse('invalid-amount', 'amount');
    const vatRate = text('vatRate') === '' ? null : parseDecimal(text('vatRate'), style);
    if (text('vatRate') !== '' && vatRate === null) return refuse('invalid-vat-rate', 'vatRate');
    const roaming = booleans.get(canonical(text('roaming')));
    if (roaming === undefined) return refuse('invalid-flag', 'roaming');

    const seconds = (field: Field): number | null | undefined => (text(field) === '' ? null : (parseDuration(text(field)) ?? undefined));
    const durationS = seconds('duration');
    if (durationS === undefined) return refuse('invalid-duration', 'duration');
    const billedS = seconds('billed');
    if (billedS === undefined) return refuse('invalid-duration', 'billed');

    let volumeBytes: number | null = null;
    for (const [field, places] of [['volumeMb', 6], ['volumeKb', 3]] as const) {
      if (text(field) === '') continue;
      const volume = parseDecimal(text(field), style);
      volumeBytes = volume === null ? null : scaleDecimal(volume, places);
      if (volumeBytes === null) return refuse('invalid-volume', field);
    }

    const destination = orNull('destination');
    const bundleText = canonical(text('bundle'));
    const currency = text('currency').toUpperCase() || 'EUR';
    if (!/^[A-Z]{3}$/.test(currency)) return refuse('invalid-currency', 'currency');
    return {
      ok: true,
      record: {
        line,
        msisdn,
        userName: orNull('user'),
        startLocal,
        type,
        direction: directions.get(canonical(text('direction'))) ?? null,
        destination,
        destinationMasked: destination?.includes('*') ?? false,
        description: orNull('description'),
        durationS,
        billedS,
        volumeBytes,
        bundle: bundleText === '' ? null : (bundles.get(bundleText) ?? 'other'),
        amount,
        currency,
        vatRate,
        roaming: roaming === 'true',
        visitedNetwork: orNull('visitedNetwork'),
        costCentreHint: orNull('costCentre'),
      },
    };
  };
}
