// Rate limits shared by every web process through Redis; while Redis is away an in-memory
// limiter per process takes over (rate-limiter-flexible's insurance limiter).
import { createHmac } from 'node:crypto';
import type { RedisClient } from '../queues/connection.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from './problem.js';

export type Limiter = RateLimiterRedis;

export function createLimiter(redis: RedisClient, keyPrefix: string, points: number, durationSeconds: number): Limiter {
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

/** Points taken by reserve(), to give back when the attempt should not count. */
export interface Reservation {
  giveBack(): Promise<void>;
}

/**
 * Takes one point from each limiter in turn, each atomically in Redis, so parallel requests
 * can never take more points than a limiter has. When one refuses, the points already taken
 * by this call are given back and it throws 429 with Retry-After.
 */
export async function reserve(claims: readonly (readonly [Limiter, string])[]): Promise<Reservation> {
  const taken: (readonly [Limiter, string])[] = [];
  const giveBack = async () => {
    await Promise.all(taken.map(([limiter, key]) => limiter.reward(key, 1)));
  };
  for (const claim of claims) {
    try {
      await claim[0].consume(claim[1]);
      taken.push(claim);
    } catch (rejection) {
      await giveBack();
      if (rejection instanceof RateLimiterRes) throw tooManyRequests(retryAfter(rejection));
      throw rejection;
    }
  }
  return { giveBack };
}

/** Consumes one point or throws 429 with Retry-After. */
export async function consumeOrThrow(limiter: Limiter, key: string): Promise<void> {
  await reserve([[limiter, key]]);
}

/** Throws 429 when a key has used its points already: a check that takes none. */
export async function assertNotExhausted(limiter: Limiter, key: string): Promise<void> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points) throw tooManyRequests(retryAfter(state));
}

/**
 * assertNotExhausted for several keys at once with one MGET (a limiter's get() is a MULTI of GET
 * and PTTL: four commands a key). Only a key found used up is read again, for its Retry-After.
 * While Redis is not ready, or refuses the MGET, each limiter reads as before (its insurance
 * limiter in memory when Redis is away).
 */
export async function assertNoneExhausted(redis: RedisClient, claims: readonly (readonly [Limiter, string])[]): Promise<void> {
  const oneByOne = () => Promise.all(claims.map(([limiter, key]) => assertNotExhausted(limiter, key)));
  if (redis.status !== 'ready') {
    await oneByOne();
    return;
  }
  let counts: (string | null)[];
  try {
    counts = await redis.mget(claims.map(([limiter, key]) => limiter.getKey(key)));
  } catch {
    await oneByOne();
    return;
  }
  const used = claims.find(([limiter], i) => Number(counts[i] ?? 0) >= limiter.points);
  if (used) await assertNotExhausted(used[0], used[1]);
}

/** Limiter keys never hold a username or an address in the clear. */
export function limiterKey(secret: string, kind: string, value: string): string {
  return createHmac('sha256', secret).update(`${kind}:${value}`).digest('base64url');
}
