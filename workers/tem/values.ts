// Value parsers for carrier exports: decimals with a comma or a point (as exact decimal text,
// never a float), dates dd-mm-yyyy or ISO, times, durations as seconds or hh:mm:ss.
import { daysInMonth, localText } from './calendar.js';

/** The file's decimal mark, learnt from the first number that shows it (a guess from the separator until then). */
export interface DecimalStyle {
  mark: ',' | '.';
  learnt: boolean;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
/** A whole number, or one mark followed by other than three digits: no doubt which mark it is (the common case, read without the steps below). */
const PLAIN = /^-?\d+(?:([,.])(?:\d{1,2}|\d{4,}))?$/;

/** '1.228,80' → '1228.80', '12.5' → '12.5'; null when it is not a number. */
export function parseDecimal(input: string, style: DecimalStyle): string | null {
  const plain = PLAIN.exec(input);
  if (plain) {
    const mark = plain[1];
    if (mark === undefined) return input;
    if (!style.learnt) Object.assign(style, { mark, learnt: true });
    return mark === ',' ? input.replace(',', '.') : input;
  }
  let text = input.replace(/[\s€]/g, '').replace(/%$/, '');
  if (text === '') return null;
  const comma = text.lastIndexOf(',');
  const point = text.lastIndexOf('.');
  let mark: ',' | '.' | null;
  if (comma >= 0 && point >= 0) mark = comma > point ? ',' : '.';
  else if (comma < 0 && point < 0) mark = null;
  else {
    const only = comma >= 0 ? ',' : '.';
    const once = text.indexOf(only) === text.lastIndexOf(only);
    const threeAfter = once && text.length - text.indexOf(only) - 1 === 3;
    // "1.536" alone could be thousands or a decimal: the file's mark decides.
    mark = !once ? (only === ',' ? '.' : ',') : threeAfter && style.mark !== only ? null : only;
    if (once && !threeAfter && !style.learnt) Object.assign(style, { mark: only, learnt: true });
  }
  if (mark === ',') text = text.replace(/\./g, '').replace(',', '.');
  else if (mark === '.') text = text.replace(/,/g, '');
  else text = text.replace(/[.,]/g, '');
  if (comma >= 0 && point >= 0 && !style.learnt) Object.assign(style, { mark, learnt: true });
  return DECIMAL.test(text) ? text : null;
}

/**
 * An amount as Dutch accounting exports write it, as parseDecimal's decimal text: negative in
 * parentheses ('(1,23)') or with the minus after it ('1,23-'), and with a euro sign before or
 * after it ('€ 1,23', '€1.234,56', '-€ 1,23', '1,23 €'), and zero as their accounting format
 * shows it, a dash alone ('€ -', '-': Excel's "Financieel" writes a free call so). Null when the
 * sign or the number is in doubt: two signs ('(-1,23)', '-1,23-'), a parenthesis alone, two euro
 * signs, one inside the number, or another currency's.
 */
export function parseAmount(input: string, style: DecimalStyle): string | null {
  let text = input.trim();
  const euro = text.indexOf('€');
  if (euro >= 0) {
    // Once, outside the number: only a parenthesis, a minus or blanks between it and an end.
    if (euro !== text.lastIndexOf('€') || !(/^[(\-\s]*$/.test(text.slice(0, euro)) || /^[\s)-]*$/.test(text.slice(euro + 1)))) return null;
    text = `${text.slice(0, euro)}${text.slice(euro + 1)}`.trim();
  }
  if (text === '-') return '0';
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // The common case: no parenthesis (0x28, 0x29) and no minus after the number (0x2d).
  if (first !== 0x28 && last !== 0x29 && last !== 0x2d) return parseDecimal(text, style);
  let negative = false;
  if (first === 0x28 || last === 0x29) {
    if (first !== 0x28 || last !== 0x29) return null;
    negative = true;
    text = text.slice(1, -1).trim();
  }
  if (text.endsWith('-')) {
    if (negative) return null;
    negative = true;
    text = text.slice(0, -1).trim();
  }
  if (negative && text.startsWith('-')) return null;
  const value = parseDecimal(text, style);
  return value === null || !negative ? value : `-${value}`;
}

/** A decimal text times 10^places, exactly, as an integer (volumes in bytes); null past the precision. */
export function scaleDecimal(decimal: string, places: number): number | null {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  if (fraction.replace(/0+$/, '').length > places) return null;
  const value = Number(whole + fraction.padEnd(places, '0'));
  return Number.isSafeInteger(value) ? (negative ? -value : value) : null;
}

const DUTCH_DATE = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** dd-mm-yyyy (also / or .) or yyyy-mm-dd → 'YYYY-MM-DD'; null when it is no date. */
export function parseDate(input: string): string | null {
  const dutch = DUTCH_DATE.exec(input);
  const iso = dutch ? null : ISO_DATE.exec(input);
  const parts = dutch ? [dutch[3], dutch[2], dutch[1]] : iso ? [iso[1], iso[2], iso[3]] : null;
  if (!parts) return null;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The character code at `at` when it is a digit below `below` ('0' is 48). */
const digitBelow = (text: string, at: number, below = 10) => {
  const c = text.charCodeAt(at) - 48;
  return c >= 0 && c < below;
};

/** hh:mm or hh:mm:ss → 'HH:MM:SS'. */
export function parseTime(input: string): string | null {
  // 'HH:MM:SS' already: checked in place, the input is the answer.
  if (input.length === 8 && input[2] === ':' && input[5] === ':' && digitBelow(input, 0) && digitBelow(input, 1) && digitBelow(input, 3) && digitBelow(input, 4) && digitBelow(input, 6) && digitBelow(input, 7)) {
    return input < '24' && digitBelow(input, 3, 6) && digitBelow(input, 6, 6) ? input : null;
  }
  const m = TIME.exec(input);
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return h < 24 && min < 60 && s < 60 ? `${pad(h)}:${pad(min)}:${pad(s)}` : null;
}

/**
 * A time zone after a call time: Z, UTC, GMT, CET, CEST or an offset (+01:00, +0100, +01), as
 * minutes east of UTC; a fraction of a second before it is dropped (calls are kept to the second).
 * Anything else after the time is no call time (invalid-date), never dropped unseen: a zone
 * dropped put the call an hour or more off, across a month's edge at its ends.
 */
const ZONED = /^(\d{1,2}:\d{2}(?::\d{2})?)(?:[.,]\d{1,9})?(?:\s*(?:(Z|UTC|GMT)|(CEST|CET)|([+-])(\d{2})(?::?(\d{2}))?))?$/i;
const NAMED_OFFSETS: Record<string, number> = { CET: 60, CEST: 120 };

/**
 * 'YYYY-MM-DD' and a time with an optional zone → local 'YYYY-MM-DD HH:MM:SS' in Amsterdam; null
 * when it is not one. A time with a zone names an instant: its Amsterdam text then carries
 * Amsterdam's offset at that instant ('2026-10-25 02:30:00+02:00'), so Postgres reads the
 * instant even in the hour the clocks go back, whose local times come twice (a bare local time
 * there is read as winter time).
 */
export function zonedLocal(date: string, input: string): string | null {
  const m = ZONED.exec(input.trim());
  if (!m) return null;
  const time = parseTime(m[1] ?? '');
  if (!time) return null;
  const [, , utc, named, sign, hours, minutes] = m;
  if (utc === undefined && named === undefined && sign === undefined) return `${date} ${time}`;
  const offset = named !== undefined ? (NAMED_OFFSETS[named.toUpperCase()] ?? 0) : sign !== undefined ? (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes ?? 0)) : 0;
  if (Math.abs(offset) > 14 * 60 || Number(minutes ?? 0) >= 60) return null;
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  return withAmsterdamOffset(Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000);
}

/** The Amsterdam text of an instant (ms since the epoch) with Amsterdam's UTC offset then: '…+01:00' or '…+02:00'. */
function withAmsterdamOffset(instant: number): string {
  const local = localText(new Date(instant));
  const asUtc = Date.UTC(Number(local.slice(0, 4)), Number(local.slice(5, 7)) - 1, Number(local.slice(8, 10)), Number(local.slice(11, 13)), Number(local.slice(14, 16)), Number(local.slice(17, 19)));
  const minutes = Math.round((asUtc - instant) / 60_000);
  return `${local}${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** 'dd-mm-yyyy hh:mm:ss', 'yyyy-mm-ddThh:mm:ss' and the like, with a zone or not (zonedLocal) → local 'YYYY-MM-DD HH:MM:SS'. */
export function parseDateTime(input: string): string | null {
  const text = input.trim();
  const split = /[ T]/.exec(text);
  const date = parseDate(split ? text.slice(0, split.index) : text);
  if (!date) return null;
  if (!split) return `${date} 00:00:00`;
  const rest = text.slice(split.index + 1).replace(/^[ T]+/, '');
  // The common case, 'HH:MM:SS' alone, without the zone's expression.
  const plain = parseTime(rest);
  return plain ? `${date} ${plain}` : zonedLocal(date, rest);
}

/** Seconds, or [h:]mm:ss → whole seconds; null otherwise. */
export function parseDuration(input: string): number | null {
  if (/^\d+$/.test(input)) return Number(input);
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(input);
  if (!m) return null;
  const [h, min, s] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3])];
  return min < 60 && s < 60 ? h * 3600 + min * 60 + s : null;
}
