// The time windows an upload's rows must fall in, and the billing period of its charges.
import { lastDay, localText, monthOf, periodBounds, type acceptedWindow } from './calendar.js';
import type { Canonical } from './normalise.js';
import { parseDate } from './values.js';

export type Window = ReturnType<typeof acceptedWindow>;

const RANGE = /(\d{1,2}[-/.]\d{1,2}[-/.]\d{4})\s*(?:t\/m|tot en met|tot|through|to|-)\s*(\d{1,2}[-/.]\d{1,2}[-/.]\d{4})/i;

/** The export's period: the month of its latest call, or of the upload when it has none. */
export function exportPeriod(latestCall: string | null, now: Date): { start: string; end: string } {
  const month = monthOf(latestCall ?? localText(now));
  const { start } = periodBounds(`${String(month.year).padStart(4, '0')}-${String(month.month).padStart(2, '0')}`);
  return { start, end: lastDay(month) };
}

/** A charge's own period when its description names one ("01-01-2026 t/m 31-01-2026"), else the export's. */
export function chargePeriod(charge: Canonical, fallback: { start: string; end: string }): { start: string; end: string } {
  const m = charge.description ? RANGE.exec(charge.description) : null;
  const start = m?.[1] ? parseDate(m[1]) : null;
  const end = m?.[2] ? parseDate(m[2]) : null;
  return start && end && start <= end ? { start, end } : fallback;
}
