// Where a status callback may go. A member's callbackUrl must not make the platform POST into
// its own network (SSRF): every address the host resolves to must be public, on the default
// port. CALLBACK_ALLOW_PRIVATE lifts that for development and tests.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Config } from '../core/config.js';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  const family = isIP(address);
  return family === 0 || blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface CallbackTargetRules {
  readonly allowPrivate: boolean;
  readonly requireHttps: boolean;
}

/** The rules the configuration sets: the same at submit and at sending. */
export function callbackTargetRules(config: Pick<Config, 'callbackAllowPrivate' | 'env'>): CallbackTargetRules {
  return { allowPrivate: config.callbackAllowPrivate, requireHttps: config.env === 'production' };
}

/** Why the URL may not receive callbacks, or undefined when it may. */
export async function callbackTargetProblem(rawUrl: string, options: CallbackTargetRules): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && (options.requireHttps || url.protocol !== 'http:')) return options.requireHttps ? 'must be https' : 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (options.allowPrivate) return undefined;
  if (url.port !== '') return 'must use the default port';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return 'host does not resolve';
  }
  return addresses.length === 0 || addresses.some(isPrivateAddress) ? 'must resolve to public addresses only' : undefined;
}
