// One ceiling per client (an IPv4 address, or an IPv6 /64) over every /public page and form
// together (PUBLIC_RATE_LIMIT a minute), under the stricter limits of the forms that send mail or
// SMS. The key is an HMAC of the address.
import type { RequestHandler } from 'express';
import { throttledNetwork } from './client-ip.js';
import { consumeOrThrow, limiterKey, type Limiter } from './rate-limit.js';

export function publicRateLimit(limiter: Limiter, secret: string): RequestHandler {
  return async (req, _res, next) => {
    await consumeOrThrow(limiter, limiterKey(secret, 'public', throttledNetwork(req.ip)));
    next();
  };
}
