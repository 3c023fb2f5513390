// The price table: euros per segment by destination prefix (longest prefix wins), in
// ten-thousandths of a euro internally so that no cost is ever a float.
export type PriceTable = Readonly<Record<string, string>>;

export const DEFAULT_PRICES: PriceTable = { '+31': '0.0750', '+32': '0.0900', '+49': '0.0900', default: '0.1200' };

const SCALE = 10_000;

export function toUnits(euros: string): number {
  if (!/^\d+(\.\d{1,4})?$/.test(euros)) throw new Error(`price ${euros} is not a decimal with at most 4 places`);
  const [whole = '0', fraction = ''] = euros.split('.');
  return Number(whole) * SCALE + Number(fraction.padEnd(4, '0'));
}

export function fromUnits(units: number): string {
  return `${Math.floor(units / SCALE)}.${String(units % SCALE).padStart(4, '0')}`;
}

export function pricePerSegment(prices: PriceTable, e164: string): number {
  let best: string | undefined;
  for (const prefix of Object.keys(prices)) {
    if (prefix !== 'default' && e164.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  return toUnits(prices[best ?? 'default'] ?? '0');
}
