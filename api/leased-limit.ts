// The per-key API rate limit without a Redis round trip per request. A process takes points
// from the shared Redis limiter in leases (one atomic INCRBY of n points) and hands them out
// locally until they are used up or their window ends. Every point a process hands out was
// taken in Redis first, so all web processes together never pass the limit; what a process
// leased and did not use is lost with its window (at most maxLease - 1 points per process and
// window), so a key may get slightly fewer requests than the limit, never more.
// A key's lease grows while its leases run out fast (a busy key: one Redis call per lease, not
// per request) and shrinks back to one point for a quiet key, which then counts exactly as
// before. Concurrent requests of a key that has no points left wait for one lease together.
import { RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from './problem.js';
import type { Limiter } from './rate-limit.js';

/** A lease used up faster than this doubles the next one; one that lasted longer than SLOW_MS halves it. */
const FAST_MS = 1000;
const SLOW_MS = 5000;
/** The most points a lease takes, whatever the limit: bounds what a process can strand. */
const LEASE_CAP = 64;
const MAX_KEYS = 10_000;

interface KeyState {
  /** Points leased and not yet handed out, valid until windowEnds. */
  left: number;
  /** When the Redis window these points belong to ends, at the latest (ms since the epoch). */
  windowEnds: number;
  /** Redis answered that the window's points are all taken: refuse locally until windowEnds. */
  exhausted: boolean;
  /** Size of the next lease. */
  lease: number;
  leasedAt: number;
  /** Requests waiting for the lease in flight. */
  waiting: number;
  pending: Promise<void> | undefined;
}

export interface LeasedLimiter {
  /** Takes one point of `key` or throws 429 with Retry-After. */
  consume(key: string): Promise<void>;
  /** The most points one lease takes (for tests and the README). */
  readonly maxLease: number;
}

/** The largest lease for a limit of `points`: a hundredth of it, 1 to LEASE_CAP. */
export const maxLeaseOf = (points: number): number => Math.max(1, Math.min(LEASE_CAP, Math.floor(points / 100)));

export function createLeasedLimiter(limiter: Limiter, now: () => number = Date.now): LeasedLimiter {
  const maxLease = maxLeaseOf(limiter.points);
  const keys = new Map<string, KeyState>();

  const stateOf = (key: string, at: number): KeyState => {
    let state = keys.get(key);
    if (!state) {
      if (keys.size >= MAX_KEYS) sweep(at);
      state = { left: 0, windowEnds: 0, exhausted: false, lease: 1, leasedAt: 0, waiting: 0, pending: undefined };
      keys.set(key, state);
    }
    return state;
  };

  function sweep(at: number): void {
    for (const [key, state] of keys) if (state.windowEnds <= at && !state.pending) keys.delete(key);
  }

  async function lease(key: string, state: KeyState): Promise<void> {
    const at = now();
    if (state.leasedAt > 0) state.lease = at - state.leasedAt < FAST_MS ? Math.min(maxLease, state.lease * 2) : at - state.leasedAt > SLOW_MS ? Math.max(1, state.lease >> 1) : state.lease;
    const size = Math.min(maxLease, Math.max(state.lease, state.waiting));
    let granted: number;
    let msLeft: number;
    try {
      const res = await limiter.consume(key, size);
      granted = size;
      msLeft = res.msBeforeNext;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Redis counted all `size` points; those under the limit are ours.
      granted = Math.max(0, Math.min(size, limiter.points - (rejection.consumedPoints - size)));
      msLeft = rejection.msBeforeNext;
    }
    // A lease is taken only once the last one is used up. Its window is measured from before
    // the call: it ends no earlier in Redis than it does here.
    state.windowEnds = at + msLeft;
    state.left = granted;
    state.exhausted = granted < size;
    state.leasedAt = now();
  }

  async function consume(key: string): Promise<void> {
    for (;;) {
      const at = now();
      const state = stateOf(key, at);
      if (state.windowEnds <= at) {
        state.left = 0;
        state.exhausted = false;
      }
      if (state.left > 0) {
        state.left -= 1;
        return;
      }
      if (state.exhausted) throw tooManyRequests(Math.max(1, Math.ceil((state.windowEnds - at) / 1000)));
      if (!state.pending) {
        state.pending = lease(key, state).finally(() => {
          state.pending = undefined;
        });
      }
      state.waiting += 1;
      try {
        await state.pending;
      } finally {
        state.waiting -= 1;
      }
    }
  }

  return { consume, maxLease };
}
