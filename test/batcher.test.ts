// The batcher under group commit and batched lookups (workers/core/batcher.ts): items that
// come while a batch is in flight go together in the next; each caller gets its own result;
// a failed batch is retried item by item so one bad item fails alone; items sharing a key
// never share a batch; a batch never outgrows its weight.
import { describe, expect, it } from 'vitest';
import { createBatcher } from '../workers/core/batcher.js';

/** A run that records each batch and answers when `release` is called. */
function gated<I, O>(answer: (items: readonly I[]) => O[]) {
  const batches: I[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: readonly I[]) => {
    batches.push([...items]);
    await new Promise<void>((r) => gates.push(r));
    return answer(items);
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, run, release };
}

describe('createBatcher', () => {
  it('sends a lone item at once and groups the items that came while it was in flight', async () => {
    const g = gated<number, number>((items) => items.map((i) => i * 10));
    const batch = createBatcher({ run: g.run });
    const first = batch(1);
    const rest = [2, 3, 4].map((i) => batch(i));
    expect(g.batches).toEqual([[1]]);
    await g.release();
    await g.release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('retries a failed batch item by item: the bad item fails alone, its neighbours get their results', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const batch = createBatcher<number, number>({
      run: async (items) => {
        batches.push([...items]);
        if (items[0] === 0) await held;
        if (items.includes(13)) throw new Error('bad item');
        return items.map((i) => i + 1);
      },
    });
    const opener = batch(0);
    const outcomes = Promise.allSettled([12, 13, 14].map((i) => batch(i)));
    release();
    await opener;
    const [a, b, c] = await outcomes;
    expect(a).toEqual({ status: 'fulfilled', value: 13 });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('bad item') });
    expect(c).toEqual({ status: 'fulfilled', value: 15 });
    expect(batches).toEqual([[0], [12, 13, 14], [12], [13], [14]]);
  });

  it('fails every item of a batch, unretried, when the error is the store\'s own (nothing answered as stored)', async () => {
    const down = new Error('Connection terminated unexpectedly');
    const g = gated<string, string>(() => {
      throw down;
    });
    const batch = createBatcher<string, string>({ run: g.run, mayBeOneItems: (error) => error !== down });
    const first = batch('first').then((r) => r, (e: unknown) => e);
    const outcomes = ['a', 'b', 'c'].map((item) => batch(item).then((r) => r, (e: unknown) => e));
    await g.release();
    await g.release();
    expect(await first).toBe(down);
    expect(await Promise.all(outcomes)).toEqual([down, down, down]);
    expect(g.batches).toEqual([['first'], ['a', 'b', 'c']]);
  });

  it('keeps items sharing a key out of one batch, in order', async () => {
    const g = gated<string, string>((items) => [...items]);
    const batch = createBatcher<string, string>({ run: g.run, keysOf: (item) => [item.split(':')[0] ?? ''] });
    const all = ['x:0', 'a:1', 'a:2', 'b:1', 'a:3'].map((i) => batch(i));
    await g.release();
    await g.release();
    await g.release();
    await g.release();
    expect(await Promise.all(all)).toEqual(['x:0', 'a:1', 'a:2', 'b:1', 'a:3']);
    expect(g.batches).toEqual([['x:0'], ['a:1', 'b:1'], ['a:2'], ['a:3']]);
  });

  it('fills a batch up to its weight, and sends a heavier item alone', async () => {
    const g = gated<number, number>((items) => [...items]);
    const batch = createBatcher<number, number>({ run: g.run, weightOf: (n) => n, maxWeight: 10 });
    const all = [1, 4, 5, 2, 30, 3].map((n) => batch(n));
    for (let i = 0; i < 4; i++) await g.release();
    await Promise.all(all);
    expect(g.batches).toEqual([[1], [4, 5], [2, 3], [30]]);
  });

  it('never runs two batches holding the same key at once, and keeps a key\'s items in order', async () => {
    const g = gated<string, string>((items) => [...items]);
    const batch = createBatcher<string, string>({ run: g.run, concurrency: 3, keysOf: (item) => [item.split(':')[0] ?? ''] });
    const all = ['a:1', 'a:2', 'b:1', 'a:3'].map((i) => batch(i));
    expect(g.batches).toEqual([['a:1'], ['b:1']]);
    await g.release();
    expect(g.batches).toEqual([['a:1'], ['b:1'], ['a:2']]);
    await g.release();
    await g.release();
    await g.release();
    expect(await Promise.all(all)).toEqual(['a:1', 'a:2', 'b:1', 'a:3']);
    expect(g.batches).toEqual([['a:1'], ['b:1'], ['a:2'], ['a:3']]);
  });

  it('runs up to `concurrency` batches at once', async () => {
    const g = gated<number, number>((items) => [...items]);
    const batch = createBatcher<number, number>({ run: g.run, concurrency: 2 });
    const all = [1, 2, 3, 4].map((n) => batch(n));
    expect(g.batches).toEqual([[1], [2]]);
    await g.release();
    expect(g.batches).toEqual([[1], [2], [3, 4]]);
    await g.release();
    await g.release();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4]);
  });

  it('fails every item of a batch whose run answers the wrong number of results, each on its own retry', async () => {
    const batch = createBatcher<number, number>({ run: () => Promise.resolve([]) });
    await expect(batch(1)).rejects.toThrow(/answered 0 results/);
  });
});
