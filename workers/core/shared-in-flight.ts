/**
 * Calls of `read` with the same key while one is in flight share it instead of each sending
 * their own (e.g. 500 requests a second with one API key: each lookup takes a few ms, more
 * under load, and the requests that arrive meanwhile ride on it). Nothing is kept once it
 * answers, so there is nothing to invalidate: a request that starts after a change has been
 * committed, with no lookup of its key in flight, reads it. A failed read fails its sharers.
 */
export function sharedInFlight<V>(read: (key: string) => Promise<V>): (key: string) => Promise<V> {
  const inFlight = new Map<string, Promise<V>>();
  return (key) => {
    const running = inFlight.get(key);
    if (running) return running;
    const started = read(key).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };
}
