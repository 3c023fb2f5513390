// Rate limits shared by every web process through Redis; while Redis is away an in-memory
// limiter per process takes over (rate-limiter-flexible's insurance limiter).
import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from './problem.js';

export type Limiter = RateLimiterRedis;

export function createLimiter(redis: Redis, keyPrefix: string, points: number, durationSeconds: number): Limiter {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration: durationSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
  });
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** Consumes one point or throws 429 with Retry-After. */
export async function consumeOrThrow(limiter: Limiter, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw tooManyRequests(retryAfter(rejection));
    throw rejection;
  }
}

/** Throws 429 when a key has already used its points (for limits counted on failures only). */
export async function assertNotExhausted(limiter: Limiter, key: string): Promise<void> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points) throw tooManyRequests(retryAfter(state));
}

/** Limiter keys never hold a username or an address in the clear. */
export function limiterKey(secret: string, kind: string, value: string): string {
  return createHmac('sha256', secret).update(`${kind}:${value}`).digest('base64url');
}
