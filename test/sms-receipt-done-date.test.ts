// A receipt's done date (YYMMDDhhmm[ss], UTC) as parseDoneDate reads it: the same value read
// again (a burst of receipts of one minute) answers the same instant in a Date of its own, and
// whether it is too far ahead is decided anew for each call's `now`.
import { describe, expect, it } from 'vitest';
import { parseDoneDate } from '../workers/sms/smpp/receipt.js';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

describe('receipt done date', () => {
  it('reads minutes and seconds as UTC, and refuses what is no time', () => {
    expect(parseDoneDate('2612061159', NOW)).toEqual(new Date('2026-12-06T11:59:00Z'));
    expect(parseDoneDate('261206115907', NOW)).toEqual(new Date('2026-12-06T11:59:07Z'));
    for (const value of [undefined, '', '26120611', '2613061159', '2602301159', '2612062459', '261206115960', '26120611590', 'x612061159']) {
      expect(parseDoneDate(value, NOW)).toBeUndefined();
    }
  });

  it('answers a value read again with a Date of its own, and the same value after an invalid one', () => {
    const first = parseDoneDate('2612061159', NOW);
    const again = parseDoneDate('2612061159', NOW);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    first?.setTime(0);
    expect(parseDoneDate('2612061159', NOW)).toEqual(new Date('2026-12-06T11:59:00Z'));
    expect(parseDoneDate('2602301159', NOW)).toBeUndefined();
    expect(parseDoneDate('2602301159', NOW)).toBeUndefined();
    expect(parseDoneDate('2612061159', NOW)).toEqual(new Date('2026-12-06T11:59:00Z'));
  });

  it('refuses a date more than a day ahead of each call its own now, the same value read twice', () => {
    const ahead = '2612081200';
    expect(parseDoneDate(ahead, NOW)).toBeUndefined();
    expect(parseDoneDate(ahead, NOW + 2 * 24 * 3600_000)).toEqual(new Date('2026-12-08T12:00:00Z'));
    expect(parseDoneDate(ahead, NOW)).toBeUndefined();
  });
});
