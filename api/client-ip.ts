// IP addresses are truncated before they reach any log (P10 in ARCHITECTURE.md): IPv4 to its /24,
// IPv6 to its /48. Login throttles and the public rate limits count an IPv6 client by its /64, the
// block one host gets (one host may use every address in it).
import { isIPv4, isIPv6 } from 'node:net';

function expandIPv6(ip: string): number[] | undefined {
  const [head = '', tail] = ip.split('::');
  const parse = (part: string) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? left.length !== 8 : missing < 0) return undefined;
  return [...left, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...right];
}

type Address = { readonly v4: string } | { readonly v6: number[] };

/** An IPv4 address (also when IPv4-mapped), or the eight groups of an IPv6 one. */
function parseAddress(ip: string | undefined): Address | undefined {
  if (!ip) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped?.[1] ?? ip;
  if (isIPv4(v4)) return { v4 };
  const bare = ip.split('%')[0] ?? '';
  const groups = isIPv6(bare) && !bare.includes('.') ? expandIPv6(bare) : undefined;
  return groups ? { v6: groups } : undefined;
}

export function truncateIp(ip: string | undefined): string {
  const address = parseAddress(ip);
  if (!address) return 'unknown';
  if ('v4' in address) return `${address.v4.split('.').slice(0, 3).join('.')}.0/24`;
  const network = address.v6.slice(0, 3);
  while (network.at(-1) === 0) network.pop();
  return `${network.map((g) => g.toString(16)).join(':')}::/48`;
}

/** What a login throttle or a per-client rate limit counts as one client: an IPv4 address, or the /64 of an IPv6 one. */
export function throttledNetwork(ip: string | undefined): string {
  const address = parseAddress(ip);
  if (!address) return ip ?? 'unknown';
  if ('v4' in address) return address.v4;
  return `${address.v6.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
