// Europe/Amsterdam calendar arithmetic for call times, kept as local text ('YYYY-MM-DD HH:MM:SS')
// until Postgres reads it with TimeZone Europe/Amsterdam: no per-row time-zone work in JavaScript
// but for a time the file gave with its zone, whose text carries Amsterdam's offset then
// ('…+02:00', values.ts zonedLocal): the first 19 characters are always the wall-clock time.
export const TEM_TIME_ZONE = 'Europe/Amsterdam';
/** Call records and raw files are kept this long after the call (P6). */
export const CALL_RETENTION = { months: 6 } as const;
/** Partitions are made for this many months past the current one. */
export const MONTHS_AHEAD = 2;

export interface Month {
  readonly year: number;
  readonly month: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const localFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TEM_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The wall-clock time in Amsterdam as 'YYYY-MM-DD HH:MM:SS'. */
export function localText(at: Date): string {
  const p = Object.fromEntries(localFormat.formatToParts(at).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
/** Days of a month (1–12), by arithmetic: it runs for every row, so no Date is made. */
export const daysInMonth = (year: number, month: number) => (month === 2 && leap(year) ? 29 : (DAYS[month - 1] ?? 31));

export function addMonths({ year, month }: Month, count: number): Month {
  const index = year * 12 + (month - 1) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export const monthOf = (local: string): Month => ({ year: Number(local.slice(0, 4)), month: Number(local.slice(5, 7)) });
export const monthStart = ({ year, month }: Month) => `${pad(year, 4)}-${pad(month)}-01 00:00:00`;
export const monthKey = ({ year, month }: Month) => `${pad(year, 4)}-${pad(month)}`;
export const lastDay = ({ year, month }: Month) => `${pad(year, 4)}-${pad(month)}-${pad(daysInMonth(year, month))}`;

/** `months` calendar months before the local time, the day clamped to the month's end (as Postgres does). */
export function monthsBefore(local: string, months: number): string {
  const target = addMonths(monthOf(local), -months);
  const day = Math.min(Number(local.slice(8, 10)), daysInMonth(target.year, target.month));
  return `${pad(target.year, 4)}-${pad(target.month)}-${pad(day)}${local.slice(10)}`;
}

/** What an upload may hold: calls from the retention cut-off up to the end of the partitions made ahead. */
export function acceptedWindow(now: Date): { readonly from: string; readonly until: string } {
  const local = localText(now);
  return { from: monthsBefore(local, CALL_RETENTION.months), until: monthStart(addMonths(monthOf(local), MONTHS_AHEAD + 1)) };
}

/** 'YYYY-MM' → its first and last day. */
export function periodBounds(period: string): { readonly start: string; readonly end: string; readonly month: Month } {
  const month = monthOf(`${period}-01`);
  return { start: `${period}-01`, end: lastDay(month), month };
}
