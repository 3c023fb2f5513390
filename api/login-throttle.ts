// The throttle of every password check (members' logins and the ops login), per login name and
// per client network. Each wrong password takes a point, atomically in Redis, so parallel
// guesses cannot get past the limit, and a right one is refused too once the points are used.
// An expensive check (scrypt) reserves its points BEFORE it runs, or the check would race the
// count (and outsiders could make us hash without limit); a cheap one (a constant-time compare)
// counts right after it, so the right login's parallel requests never take points at all.
import type { RedisClient } from '../queues/connection.js';
import { throttledNetwork } from './client-ip.js';
import { assertNoneExhausted, createLimiter, limiterKey, reserve, type Limiter } from './rate-limit.js';

const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Attempts per client network: this many times the attempts per login name. */
const PER_NETWORK_FACTOR = 5;

export interface LoginAttempt {
  /** The password was right: this attempt does not count against the limits. */
  succeeded(): Promise<void>;
}

export interface LoginThrottle {
  /** Before an expensive check: reserves an attempt for `name` (as the caller normalises it) from `ip`; 429 with Retry-After when either is used up. */
  attempt(name: string, ip: string | undefined): Promise<LoginAttempt>;
  /** Right after a cheap check: a wrong password takes the points, and either answer is 429 once they are used up. */
  checked(name: string, ip: string | undefined, right: boolean): Promise<void>;
}

/** Limiter keys `<keyPrefix>-user` and `<keyPrefix>-ip`, holding HMACs under `secret`, never a name or an address. */
export function createLoginThrottle(redis: RedisClient, keyPrefix: string, secret: string, attemptsPerName: number): LoginThrottle {
  const byName: Limiter = createLimiter(redis, `${keyPrefix}-user`, attemptsPerName, LOGIN_WINDOW_SECONDS);
  const byNetwork: Limiter = createLimiter(redis, `${keyPrefix}-ip`, attemptsPerName * PER_NETWORK_FACTOR, LOGIN_WINDOW_SECONDS);
  const claims = (name: string, ip: string | undefined) =>
    [
      // The name first: a burst against one name is refused there, without using the network's points.
      [byName, limiterKey(secret, 'user', name)],
      [byNetwork, limiterKey(secret, 'ip', throttledNetwork(ip))],
    ] as const;
  return {
    async attempt(name, ip) {
      const reservation = await reserve(claims(name, ip));
      return { succeeded: () => reservation.giveBack() };
    },
    async checked(name, ip, right) {
      if (!right) {
        await reserve(claims(name, ip));
        return;
      }
      await assertNoneExhausted(redis, claims(name, ip));
    },
  };
}
