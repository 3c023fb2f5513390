// Group commit (workers/core/group-commit.ts), without a database: items that arrive while a
// group is written go together in the next one; each caller gets its own result only after the
// write that holds it; a write refused for one item's sake is split until only that item fails;
// a refusal of the store itself fails every item of the group and none is answered as stored.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../workers/core/group-commit.js';

class ItemError extends Error {
  readonly code = 'item';
}

/** A write whose groups are recorded and finish only when the test says so. */
function controlledWrite(refuse: (items: readonly string[]) => Error | undefined = () => undefined) {
  const groups: string[][] = [];
  const finishes: (() => void)[] = [];
  const write = (items: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      groups.push([...items]);
      finishes.push(() => {
        const refusal = refuse(items);
        if (refusal) reject(refusal);
        else resolve(items.map((item) => `stored ${item}`));
      });
    });
  return { groups, write, finishNext: () => finishes.shift()?.() };
}

const tick = () => new Promise((r) => setImmediate(r));
const options = { maxInFlight: 1, maxWeight: 100, weight: () => 1, splittable: (e: unknown) => e instanceof ItemError };

describe('group commit', () => {
  it('writes the first item alone at once, and the items that arrive meanwhile together in the next group', async () => {
    const { groups, write, finishNext } = controlledWrite();
    const commit = new GroupCommit(write, options);
    const answered: string[] = [];
    const first = commit.submit('a').then((r) => answered.push(r));
    await tick();
    expect(groups).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((item) => commit.submit(item).then((r) => answered.push(r)));
    await tick();
    // Not written, and nobody answered, while the first group is not committed.
    expect(groups).toEqual([['a']]);
    expect(answered).toEqual([]);
    finishNext();
    await first;
    await tick();
    expect(groups).toEqual([['a'], ['b', 'c', 'd']]);
    expect(answered).toEqual(['stored a']);
    finishNext();
    await Promise.all(rest);
    expect(answered).toEqual(['stored a', 'stored b', 'stored c', 'stored d']);
  });

  it('keeps a group within maxWeight, but never leaves a heavy item out', async () => {
    const { groups, write, finishNext } = controlledWrite();
    const weights: Record<string, number> = { a: 1, b: 40, c: 40, d: 40, e: 500 };
    const commit = new GroupCommit(write, { ...options, maxWeight: 100, weight: (item: string) => weights[item] ?? 1 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((item) => commit.submit(item));
    for (let i = 0; i < 4; i++) {
      await tick();
      finishNext();
    }
    await Promise.all(all);
    expect(groups).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('splits a group refused for one item: that item fails alone, every other one is stored', async () => {
    const { groups, write, finishNext } = controlledWrite((items) => (items.includes('bad') ? new ItemError('refused') : undefined));
    const commit = new GroupCommit(write, { ...options, maxInFlight: 1 });
    const blocker = commit.submit('first');
    await tick();
    const items = ['a', 'b', 'bad', 'c', 'd'];
    const outcomes = items.map((item) => commit.submit(item).then((r) => r, (e: unknown) => e));
    await tick();
    finishNext();
    await blocker;
    for (let i = 0; i < 10 && groups.length < 8; i++) {
      await tick();
      finishNext();
    }
    const settled = await Promise.all(outcomes);
    expect(settled.map((s) => (s instanceof Error ? 'refused' : s))).toEqual(['stored a', 'stored b', 'refused', 'stored c', 'stored d']);
    // The whole group, its halves, then the halves of the half holding the bad item, down to it alone.
    expect(groups.slice(1, 3)).toEqual([items, ['a', 'b', 'bad']]);
    expect(groups.filter((g) => g.length === 1 && g[0] === 'bad')).toHaveLength(1);
  });

  it('fails every item of a group when the store itself refuses (not split, nothing answered as stored)', async () => {
    const down = new Error('Connection terminated unexpectedly');
    const { groups, write, finishNext } = controlledWrite(() => down);
    const commit = new GroupCommit(write, options);
    const blocker = commit.submit('first').catch((e: unknown) => e);
    await tick();
    const outcomes = ['a', 'b', 'c'].map((item) => commit.submit(item).then((r) => r, (e: unknown) => e));
    finishNext();
    expect(await blocker).toBe(down);
    await tick();
    finishNext();
    expect(await Promise.all(outcomes)).toEqual([down, down, down]);
    expect(groups).toEqual([['first'], ['a', 'b', 'c']]);
  });

  it('writes up to maxInFlight groups at once', async () => {
    const { groups, write, finishNext } = controlledWrite();
    const commit = new GroupCommit(write, { ...options, maxInFlight: 2 });
    const first = commit.submit('a');
    await tick();
    const second = commit.submit('b');
    await tick();
    const third = commit.submit('c');
    await tick();
    expect(groups).toEqual([['a'], ['b']]);
    finishNext();
    await first;
    await tick();
    expect(groups).toEqual([['a'], ['b'], ['c']]);
    finishNext();
    finishNext();
    expect(await Promise.all([second, third])).toEqual(['stored b', 'stored c']);
  });
});
