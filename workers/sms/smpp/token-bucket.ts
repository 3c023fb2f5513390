// A rate in this process: `rate()` tokens a second, a second's worth at most saved up. A take
// larger than that goes into debt (the takers after it wait it off), so a message of more parts
// than a second's rate is still sent, and the average never exceeds the rate.
export class TokenBucket {
  private tokens: number;
  private at = Date.now();

  /** `rate` is read at each take: a pool's rate follows the sessions bound. */
  constructor(private readonly rate: () => number) {
    this.tokens = rate();
  }

  private refill(): number {
    const now = Date.now();
    const rate = this.rate();
    this.tokens = Math.min(rate, this.tokens + ((now - this.at) * rate) / 1000);
    this.at = now;
    return rate;
  }

  /** Resolves once `count` tokens are taken; rejects when `signal` aborts first (nothing taken). */
  async take(count: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const rate = this.refill();
      const needed = Math.min(count, rate);
      if (this.tokens >= needed) {
        this.tokens -= count;
        return;
      }
      const waitMs = rate > 0 ? Math.max(1, Math.ceil(((needed - this.tokens) * 1000) / rate)) : 100;
      await sleep(waitMs, signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
