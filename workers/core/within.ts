// A read of a dependency that must not hang on one that does not answer (a partitioned Redis,
// a Postgres that accepts connections but never replies): /readyz, /ops/status, /metrics.

/** The promise, or a rejection after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
