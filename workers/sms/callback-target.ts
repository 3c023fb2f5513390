// Where a status callback may go. A member's callbackUrl must not make the platform POST into
// its own network (SSRF): every address the host resolves to must be public, on the default
// port. The host is resolved once, and the callback connects to the address that was checked
// (callback-post.ts), so a second DNS answer (rebinding) is never asked for.
// CALLBACK_ALLOW_PRIVATE lifts the checks for development and tests.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config } from '../core/config.js';
import { isPrivateAddress } from './callback-address.js';

export { isPrivateAddress } from './callback-address.js';

export interface CallbackTargetRules {
  readonly allowPrivate: boolean;
  readonly requireHttps: boolean;
}

/** A URL that may receive callbacks, and the checked address to connect to (none: let the system resolve, only with allowPrivate). */
export interface CallbackTarget {
  readonly url: URL;
  readonly address: string | null;
}

export type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The rules the configuration sets: the same at submit and at sending. */
export function callbackTargetRules(config: Pick<Config, 'callbackAllowPrivate' | 'env'>): CallbackTargetRules {
  return { allowPrivate: config.callbackAllowPrivate, requireHttps: config.env === 'production' };
}

/** The target, or why the URL may not receive callbacks. */
export async function callbackTarget(rawUrl: string, options: CallbackTargetRules, resolve: Resolve = resolveAll): Promise<CallbackTarget | { problem: string }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { problem: 'not a URL' };
  }
  if (url.protocol !== 'https:' && (options.requireHttps || url.protocol !== 'http:')) return { problem: options.requireHttps ? 'must be https' : 'must be http or https' };
  if (url.username || url.password) return { problem: 'must not carry credentials' };
  if (options.allowPrivate) return { url, address: null };
  if (url.port !== '') return { problem: 'must use the default port' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    return { problem: 'host does not resolve' };
  }
  const [first] = addresses;
  if (first === undefined || addresses.some(isPrivateAddress)) return { problem: 'must resolve to public addresses only' };
  return { url, address: first };
}

/** Why the URL may not receive callbacks, or undefined when it may. */
export async function callbackTargetProblem(rawUrl: string, options: CallbackTargetRules, resolve?: Resolve): Promise<string | undefined> {
  const target = await callbackTarget(rawUrl, options, resolve);
  return 'problem' in target ? target.problem : undefined;
}
