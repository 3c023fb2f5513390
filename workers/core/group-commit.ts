// Group commit: requests that arrive while earlier groups are being written share the next
// write (one transaction, multi-row statements) instead of a transaction each. Nothing waits
// on a timer: under light load a request is written alone at once; under heavy load the
// requests that queue behind the groups in flight go together, so the number of commits a
// second stays about constant while the requests a second grow. Each caller is answered only
// after the write that holds its item has committed, with its own result. When a group's
// write fails for a reason that may be one item's (its data, a conflict with another write),
// the group is split in halves and each written again, down to single items: only the bad
// item fails, its neighbours are stored.

export interface GroupCommitOptions<T> {
  /** Groups being written at once (each holds one database connection). */
  readonly maxInFlight: number;
  /** The most a group holds, as the sum of `weight` (e.g. rows). */
  readonly maxWeight: number;
  readonly weight: (item: T) => number;
  /** Whether an error of a group's write may be one item's fault (then the group is split), rather than the database's (then every item fails with it). */
  readonly splittable: (error: unknown) => boolean;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private pending: Waiting<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `write` stores the items of a group atomically and answers one result per item, in their order. */
  constructor(
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly options: GroupCommitOptions<T>,
  ) {}

  /** Resolves with the item's result once the write holding it has committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      // After the current turn of the event loop: the requests parsed in it go together.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Items waiting for a write (for tests and metrics). */
  get waiting(): number {
    return this.pending.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const group = this.take();
      this.inFlight += 1;
      void this.commit(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /** The oldest waiting items up to maxWeight (always at least one). */
  private take(): Waiting<T, R>[] {
    let weight = 0;
    let count = 0;
    for (const waiting of this.pending) {
      weight += this.options.weight(waiting.item);
      if (count > 0 && weight > this.options.maxWeight) break;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  /** Writes a group; never rejects (each item's caller is told instead). */
  private async commit(group: readonly Waiting<T, R>[]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.write(group.map((w) => w.item));
    } catch (error) {
      if (group.length > 1 && this.options.splittable(error)) {
        const half = Math.ceil(group.length / 2);
        await this.commit(group.slice(0, half));
        await this.commit(group.slice(half));
      } else {
        for (const waiting of group) waiting.reject(error);
      }
      return;
    }
    group.forEach((waiting, i) => {
      const result = results[i];
      if (result === undefined) waiting.reject(new Error('a group write answered fewer results than items'));
      else waiting.resolve(result);
    });
  }
}
