// An exact sum of call amounts as call_records stores them (numeric(16, 4)): each decimal text
// rounded to 4 places as Postgres rounds it (half away from zero), summed in ten-thousandths as
// integers, never as floats. Plain numbers while they stay exact, a bigint past 2^52 (per row
// of a million-row parse: einvoice/decimal.ts's RunningSum makes a bigint of every value and
// keeps every decimal place, where call_records keeps 4).
const PLACES = 4;
const LIMIT = 2 ** 52;
/** Up to 15 digits, a value is below 10^15 < 2^50: a number holds it, and a sum below 2^52 plus it, exactly. */
const SAFE_DIGITS = 15;

/** A decimal text ('-12.34567', '0.5', '3') in ten-thousandths, rounded as numeric(16, 4) rounds it. */
export function toUnits(decimal: string): number | bigint {
  const negative = decimal.charCodeAt(0) === 45; // '-'
  const dot = decimal.indexOf('.');
  const whole = decimal.slice(negative ? 1 : 0, dot < 0 ? decimal.length : dot);
  const fraction = dot < 0 ? '' : decimal.slice(dot + 1);
  const up = fraction.length > PLACES && fraction.charCodeAt(PLACES) >= 53; // the fifth digit is 5 or more
  const digits = whole + (fraction.length > PLACES ? fraction.slice(0, PLACES) : fraction.padEnd(PLACES, '0'));
  if (digits.length <= SAFE_DIGITS) {
    const units = Number(digits) + (up ? 1 : 0);
    return negative ? -units : units;
  }
  const units = BigInt(digits) + (up ? 1n : 0n);
  return negative ? -units : units;
}

/** A running sum of amounts: add() per row, text() the exact total with 4 places ('-0.0150'). */
export class AmountSum {
  private small = 0;
  private big = 0n;

  add(decimal: string): void {
    const units = toUnits(decimal);
    if (typeof units === 'bigint') this.big += units;
    else {
      this.small += units;
      if (this.small > LIMIT || this.small < -LIMIT) {
        this.big += BigInt(this.small);
        this.small = 0;
      }
    }
  }

  text(): string {
    const total = this.big + BigInt(this.small);
    const negative = total < 0n;
    const digits = (negative ? -total : total).toString().padStart(PLACES + 1, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -PLACES)}.${digits.slice(-PLACES)}`;
  }
}
