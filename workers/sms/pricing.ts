// The price table: euros per segment by destination prefix (longest prefix wins), in
// ten-thousandths of a euro internally so that no cost is ever a float.
export type PriceTable = Readonly<Record<string, string>>;

const SCALE = 10_000;

function toUnits(euros: string): number {
  if (!/^\d+(\.\d{1,4})?$/.test(euros)) throw new Error(`price ${euros} is not a decimal with at most 4 places`);
  const [whole = '0', fraction = ''] = euros.split('.');
  return Number(whole) * SCALE + Number(fraction.padEnd(4, '0'));
}

export function fromUnits(units: number): string {
  return `${Math.floor(units / SCALE)}.${String(units % SCALE).padStart(4, '0')}`;
}

/** A table's compiled form, kept while the table lives: the config's frozen table is compiled once per process, not once per batch. */
const compiled = new WeakMap<PriceTable, (e164: string) => number>();

/**
 * The price table compiled once: the price per segment (in units) of an E.164 number. The
 * prices are parsed here, and the prefixes tried longest first, so the first match wins. A
 * table is read only (the config's is frozen): its compiled form is reused for the same object.
 */
export function compilePrices(prices: PriceTable): (e164: string) => number {
  const known = compiled.get(prices);
  if (known) return known;
  const byPrefix = Object.entries(prices)
    .filter(([prefix]) => prefix !== 'default')
    .map(([prefix, euros]) => ({ prefix, units: toUnits(euros) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const fallback = toUnits(prices.default ?? '0');
  const priceOf = (e164: string): number => {
    for (const { prefix, units } of byPrefix) if (e164.startsWith(prefix)) return units;
    return fallback;
  };
  compiled.set(prices, priceOf);
  return priceOf;
}
