// One data row of a call-detail file, by its profile's column map, into our canonical record:
// a call (it has a call time), a period charge (it has none), or a refusal with a reason code.
import type { CallType } from '../../db/schema.js';
import { normalizePhone } from '../phone/e164.js';
import { canonical, valueLookup, type ColumnMap, type Field, type Profile } from './profile.js';
import { parseAmount, parseDate, parseDateTime, parseDecimal, parseDuration, parseTime, scaleDecimal, zonedLocal, type DecimalStyle } from './values.js';

export interface Canonical {
  readonly line: number;
  readonly msisdn: string;
  readonly userName: string | null;
  /** Local Europe/Amsterdam time 'YYYY-MM-DD HH:MM:SS' (with '+01:00' or '+02:00' when the file gave a zone); null for a period charge. */
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

/** Distinct numbers (and dates) remembered per file (a file names a few thousand subscriptions; past this the cache starts over). */
const PHONE_CACHE = 50_000;
const VOLUME_FIELDS = [['volumeMb', 6], ['volumeKb', 3]] as const;
const CURRENCY = /^[A-Z]{3}$/;

/** A cell's trimmed text, '' for a column the file lacks (index -1) or a short row. */
const cellAt = (cells: readonly string[], index: number): string => (index < 0 ? '' : (cells[index] ?? '').trim());
const refusal = (line: number, code: string, column: Field): Normalised => ({ ok: false, line, code, column });

/** The largest whole part call_records and tem_period_charges take: amount numeric(16, 4), vat_rate numeric(5, 2). */
const AMOUNT_WHOLE_DIGITS = 12;
const VAT_WHOLE_DIGITS = 3;
/** duration_s and billed_s are Postgres integers. */
const MAX_SECONDS = 2_147_483_647;
/** The fraction digits they keep, rounding the rest. */
const AMOUNT_SCALE = 4;
const VAT_SCALE = 2;

/**
 * Whether a decimal text ('-1228.80') has at most `digits` digits before its point (leading zeros
 * aside) once Postgres has rounded it to `scale` fraction digits (half away from zero:
 * 999.995 in numeric(5, 2) is 1000.00, past it): it refuses the whole COPY over one that has more.
 */
function fitsWhole(decimal: string, digits: number, scale: number): boolean {
  const point = decimal.indexOf('.');
  const whole = (point < 0 ? decimal : decimal.slice(0, point)).replace(/^-?0*/, '');
  if (whole.length !== digits) return whole.length < digits;
  const fraction = point < 0 ? '' : decimal.slice(point + 1);
  const roundsUp = fraction.length > scale && (fraction[scale] ?? '0') >= '5';
  return !(roundsUp && /^9*$/.test(whole + fraction.slice(0, scale)));
}

/** The text columns a record keeps; a NUL in one would fail the whole COPY (Postgres text cannot hold it). */
const TEXT_FIELDS = ['user', 'destination', 'description', 'visitedNetwork', 'costCentre'] as const satisfies readonly Field[];

/** A profile's value lookup by the cell's text as written, remembered (a file spells a handful of values). */
function spelled<V extends string>(lookup: ReadonlyMap<string, V>): (text: string) => V | undefined {
  const seen = new Map<string, V | undefined>();
  return (text) => {
    if (seen.has(text)) return seen.get(text);
    const value = lookup.get(canonical(text));
    if (seen.size < 1_000) seen.set(text, value);
    return value;
  };
}

/**
 * Lookups, column positions and the file's decimal style, made once per file. The returned
 * function is the per-row path: no closures or arrays made per row, one record object out.
 */
export function normaliser(profile: Profile, columns: ColumnMap, style: DecimalStyle) {
  const types = spelled(valueLookup(profile.values.type));
  const directions = spelled(valueLookup(profile.values.direction));
  const booleans = spelled(valueLookup(profile.values.boolean));
  const bundles = spelled(valueLookup(profile.values.bundle));
  const phones = new Map<string, string | null>();
  const dates = new Map<string, string | null>();
  const at = (field: Field) => columns[field] ?? -1;
  const col = {
    msisdn: at('msisdn'), user: at('user'), costCentre: at('costCentre'), date: at('date'), time: at('time'), datetime: at('datetime'),
    destination: at('destination'), description: at('description'), visitedNetwork: at('visitedNetwork'), roaming: at('roaming'), type: at('type'),
    direction: at('direction'), duration: at('duration'), billed: at('billed'), bundle: at('bundle'), amount: at('amount'), vatRate: at('vatRate'), currency: at('currency'),
  };
  const volumes = VOLUME_FIELDS.map(([field, places]) => ({ field, places, index: at(field) })).filter((v) => v.index >= 0);

  function msisdnOf(raw: string): string | null {
    let msisdn = phones.get(raw);
    if (msisdn === undefined) {
      const phone = normalizePhone(raw);
      msisdn = phone.ok ? phone.e164 : null;
      if (phones.size >= PHONE_CACHE) phones.clear();
      phones.set(raw, msisdn);
    }
    return msisdn;
  }

  return (cells: readonly string[], line: number): Normalised => {
    const msisdn = msisdnOf(cellAt(cells, col.msisdn));
    if (!msisdn) return refusal(line, 'invalid-number', 'msisdn');

    let startLocal: string | null = null;
    const datetime = cellAt(cells, col.datetime);
    if (datetime !== '') {
      startLocal = parseDateTime(datetime);
      if (!startLocal) return refusal(line, 'invalid-date', 'datetime');
    } else {
      const dateText = cellAt(cells, col.date);
      if (dateText !== '') {
        let date = dates.get(dateText);
        if (date === undefined) {
          date = parseDate(dateText);
          if (dates.size >= PHONE_CACHE) dates.clear();
          dates.set(dateText, date);
        }
        if (!date) return refusal(line, 'invalid-date', 'date');
        const timeText = cellAt(cells, col.time);
        const time = timeText === '' ? '00:00:00' : parseTime(timeText);
        // A time with its zone (or a fraction of a second): the instant it names, in Amsterdam.
        startLocal = time ? `${date} ${time}` : zonedLocal(date, timeText);
        if (!startLocal) return refusal(line, 'invalid-time', 'time');
      }
    }

    const type = types(cellAt(cells, col.type));
    if (!type) return refusal(line, 'invalid-type', 'type');
    const amount = parseAmount(cellAt(cells, col.amount), style);
    if (amount === null || !fitsWhole(amount, AMOUNT_WHOLE_DIGITS, AMOUNT_SCALE)) return refusal(line, 'invalid-amount', 'amount');
    const vatText = cellAt(cells, col.vatRate);
    const vatRate = vatText === '' ? null : parseDecimal(vatText, style);
    if (vatText !== '' && (vatRate === null || !fitsWhole(vatRate, VAT_WHOLE_DIGITS, VAT_SCALE))) return refusal(line, 'invalid-vat-rate', 'vatRate');
    const roaming = booleans(cellAt(cells, col.roaming));
    if (roaming === undefined) return refusal(line, 'invalid-flag', 'roaming');

    const durationText = cellAt(cells, col.duration);
    const durationS = durationText === '' ? null : parseDuration(durationText);
    if ((durationS === null && durationText !== '') || (durationS !== null && durationS > MAX_SECONDS)) return refusal(line, 'invalid-duration', 'duration');
    const billedText = cellAt(cells, col.billed);
    const billedS = billedText === '' ? null : parseDuration(billedText);
    if ((billedS === null && billedText !== '') || (billedS !== null && billedS > MAX_SECONDS)) return refusal(line, 'invalid-duration', 'billed');
    for (const field of TEXT_FIELDS) if (cellAt(cells, col[field]).includes('\u0000')) return refusal(line, 'invalid-characters', field);

    let volumeBytes: number | null = null;
    for (const volume of volumes) {
      const text = cellAt(cells, volume.index);
      if (text === '') continue;
      const decimal = parseDecimal(text, style);
      volumeBytes = decimal === null ? null : scaleDecimal(decimal, volume.places);
      if (volumeBytes === null) return refusal(line, 'invalid-volume', volume.field);
    }

    const destination = cellAt(cells, col.destination) || null;
    const bundleText = cellAt(cells, col.bundle);
    const currency = cellAt(cells, col.currency).toUpperCase() || 'EUR';
    if (!CURRENCY.test(currency)) return refusal(line, 'invalid-currency', 'currency');
    return {
      ok: true,
      record: {
        line,
        msisdn,
        userName: cellAt(cells, col.user) || null,
        startLocal,
        type,
        direction: directions(cellAt(cells, col.direction)) ?? null,
        destination,
        destinationMasked: destination !== null && destination.includes('*'),
        description: cellAt(cells, col.description) || null,
        durationS,
        billedS,
        volumeBytes,
        bundle: bundleText === '' ? null : (bundles(bundleText) ?? 'other'),
        amount,
        currency,
        vatRate,
        roaming: roaming === 'true',
        visitedNetwork: cellAt(cells, col.visitedNetwork) || null,
        costCentreHint: cellAt(cells, col.costCentre) || null,
      },
    };
  };
}
