// Shared buffers a streamed slice crosses to and from a pool thread in (its recipients' JSON,
// its COPY lines), reused slice after slice: a 1,000,000-row upload otherwise allocated some
// 300 MB of strings and buffers, each freed only by the next major GC (issue 16). Shared
// memory also spares the copy between the threads.
export class SliceBuffers {
  private readonly free: SharedArrayBuffer[] = [];

  /** `bytes` each; at most `kept` wait for reuse (as many as slices in flight). */
  constructor(
    readonly bytes: number,
    private readonly kept: number,
  ) {}

  take(): SharedArrayBuffer {
    return this.free.pop() ?? new SharedArrayBuffer(this.bytes);
  }

  /** Back from a slice: `reusable` once nothing reads it any more, else left to the GC. */
  give(buffer: SharedArrayBuffer, reusable = true): void {
    if (reusable && buffer.byteLength === this.bytes && this.free.length < this.kept) this.free.push(buffer);
  }
}
