// IP addresses are truncated before they reach any log (REQUIREMENTS P10):
// IPv4 to its /24, IPv6 to its /48.
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

export function truncateIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped?.[1] ?? ip;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  const bare = ip.split('%')[0] ?? '';
  if (isIPv6(bare) && !bare.includes('.')) {
    const groups = expandIPv6(bare);
    if (groups) {
      const network = groups.slice(0, 3);
      while (network.at(-1) === 0) network.pop();
      return `${network.map((g) => g.toString(16)).join(':')}::/48`;
    }
  }
  return 'unknown';
}
