// Exact decimals as strings, summed as scaled BigInts: amounts never pass through a float.
const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;

interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

export const isDecimal = (text: string) => DECIMAL.test(text);

function scaled(text: string): Scaled {
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`not a decimal: ${text.slice(0, 40)}`);
  const fraction = match[2] ?? '';
  const units = BigInt(`${match[1]}${fraction}`);
  return { units: text.startsWith('-') ? -units : units, scale: fraction.length };
}

const at = (value: Scaled, scale: number) => value.units * 10n ** BigInt(scale - value.scale);

function format({ units, scale }: Scaled): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const text = scale > 0 ? `${whole}.${digits.slice(digits.length - scale)}` : whole;
  return negative ? `-${text}` : text;
}

/** The exact sum of decimals. */
export function sum(values: readonly string[]): string {
  const parts = values.map(scaled);
  const scale = Math.max(0, ...parts.map((p) => p.scale));
  return format({ units: parts.reduce((total, p) => total + at(p, scale), 0n), scale });
}

export const minus = (value: string) => (value.startsWith('-') ? value.slice(1) : `-${value}`);

/** Rounded to 2 places, half away from zero, as EN 16931 rounds amounts. */
export function round2(value: string): string {
  const { units, scale } = scaled(value);
  if (scale <= 2) return format({ units: at({ units, scale }, 2), scale: 2 });
  const divisor = 10n ** BigInt(scale - 2);
  const magnitude = units < 0n ? -units : units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return format({ units: units < 0n ? -rounded : rounded, scale: 2 });
}

/** Equal as amounts of 2 places. */
export const sameAmount = (a: string, b: string) => round2(a) === round2(b);

/** An exact sum kept as it runs, one value at a time (the line net amounts of an invoice read as a stream). */
export class RunningSum {
  private units = 0n;
  private scale = 0;

  add(text: string): void {
    const part = scaled(text);
    if (part.scale > this.scale) {
      this.units *= 10n ** BigInt(part.scale - this.scale);
      this.scale = part.scale;
    }
    this.units += at(part, this.scale);
  }

  get value(): string {
    return format({ units: this.units, scale: this.scale });
  }
}
