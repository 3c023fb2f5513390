// A time a request schedules something at (an SMS batch's or a campaign's sendAt): an ISO 8601
// date-time with an offset, at most `maxDays` ahead. Unbounded, a typo (9999 for 2026) scheduled
// a job for ever, its delay beyond what a timer or BullMQ's delayed set holds. A time in the past
// means now. The format is checked first; a time that is not one gets that error alone.
import { z } from 'zod';

const DAY_MS = 86_400_000;

export function scheduledTime(maxDays: number) {
  return z.iso
    .datetime({ offset: true, abort: true })
    .refine((v) => new Date(v).getTime() <= Date.now() + maxDays * DAY_MS, `at most ${maxDays} days ahead`);
}
