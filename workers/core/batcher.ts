// Concurrent callers' items handled together (group commit, batched lookups). An item waits
// only while `concurrency` batches are in flight, then goes with every item that came
// meanwhile: no timer, so a lone item goes at once and a batch always starts after each of its
// items arrived (it never answers from a read older than the request). A batch that fails is
// run again one item at a time, so one bad item fails only its own caller (unless the error is
// the store's own, not an item's: then every item of the batch fails with it, unretried).

export interface BatcherOptions<I, O> {
  /** Handles the items together; answers one result per item, in their order. */
  readonly run: (items: readonly I[]) => Promise<readonly O[]>;
  /** How much of a batch an item takes (default 1); a batch holds up to `maxWeight` (one heavier item goes alone). */
  readonly weightOf?: (item: I) => number;
  readonly maxWeight?: number;
  /** Batches in flight at once (default 1). */
  readonly concurrency?: number;
  /**
   * Items sharing a key (the same row) never share a batch, nor run in two batches at once: the
   * later waits until the earlier is done, so one caller's items go in order and two batches
   * never wait on each other's row locks.
   */
  readonly keysOf?: (item: I) => Iterable<string>;
  /** Whether a batch's error may be one item's fault, so each item is retried alone (default: always); else every item fails with it (e.g. the database away). */
  readonly mayBeOneItems?: (error: unknown) => boolean;
}

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export type Batcher<I, O> = (item: I) => Promise<O>;

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  const { run, weightOf = () => 1, maxWeight = 100, concurrency = 1, keysOf, mayBeOneItems = () => true } = options;
  let queue: Waiting<I, O>[] = [];
  let inFlight = 0;
  const busyKeys = new Set<string>();

  /**
   * The next batch from the front of the queue, in order, skipping an item that would overflow
   * it or whose key is taken (by this batch or one in flight); answers the batch with its keys.
   * A skipped item's keys count as taken too, so a later item of the same key cannot overtake it.
   */
  function take(): { batch: Waiting<I, O>[]; keys: string[] } {
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const taken = new Set(busyKeys);
    const keys: string[] = [];
    let weight = 0;
    for (const waiting of queue) {
      const itemKeys = keysOf ? [...keysOf(waiting.item)] : [];
      const itemWeight = weightOf(waiting.item);
      if (itemKeys.some((k) => taken.has(k)) || (batch.length > 0 && weight + itemWeight > maxWeight)) {
        rest.push(waiting);
        for (const k of itemKeys) taken.add(k);
        continue;
      }
      batch.push(waiting);
      weight += itemWeight;
      for (const k of itemKeys) taken.add(k);
      keys.push(...itemKeys);
    }
    queue = rest;
    return { batch, keys };
  }

  async function settle(batch: readonly Waiting<I, O>[]): Promise<void> {
    try {
      const results = await run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} answered ${results.length} results`);
      batch.forEach((w, i) => w.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1 || !mayBeOneItems(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Alone, each item succeeds or fails on its own account. Their keys are distinct, so they may run at once.
      await Promise.all(batch.map((w) => settle([w])));
    }
  }

  function pump(): void {
    while (inFlight < concurrency && queue.length > 0) {
      const { batch, keys } = take();
      // Everything waiting is held by a batch in flight: its end pumps again.
      if (batch.length === 0) return;
      inFlight += 1;
      for (const k of keys) busyKeys.add(k);
      void settle(batch).finally(() => {
        inFlight -= 1;
        for (const k of keys) busyKeys.delete(k);
        pump();
      });
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
