// One POST of a callback to the address its target was checked at: the connection never asks
// DNS again, while TLS still verifies the certificate for the URL's host name. No redirects.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { CallbackTarget } from './callback-target.js';

/** A lookup that answers the checked address whatever the host. */
function pinned(address: string): LookupFunction {
  const family = isIP(address);
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** The HTTP status of the answer, or null for a network error or a timeout. */
export function postCallback(target: CallbackTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number | null> {
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
        ...(target.address !== null && { lookup: pinned(target.address) }),
      },
      (response: IncomingMessage) => {
        response.resume();
        response.on('error', () => undefined);
        resolve(response.statusCode ?? null);
      },
    );
    outgoing.on('error', () => resolve(null));
    outgoing.end(body);
  });
}
