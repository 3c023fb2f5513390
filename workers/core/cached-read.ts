/**
 * A read shared by every scrape within `ttlMs`: Prometheus, Grafana and an on-call person
 * reloading /ops/status cost one read of BullMQ or Postgres, not one each.
 */
export function cachedRead<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > ttlMs) {
      const value = read();
      last = { at: now, value };
      // A failed read is not kept: the next scrape tries again.
      value.catch(() => {
        if (last?.value === value) last = undefined;
      });
    }
    return last.value;
  };
}
