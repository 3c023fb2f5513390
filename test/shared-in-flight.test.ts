// sharedInFlight (workers/core/shared-in-flight.ts), used for the API key lookup of every bearer
// request: concurrent lookups of one key share one read; a lookup after it answered reads again
// (nothing is kept, so a key revoked meanwhile is seen); a failure is not kept either.
import { describe, expect, it } from 'vitest';
import { sharedInFlight } from '../workers/core/shared-in-flight.js';

function counted(answers: (key: string, n: number) => Promise<string>) {
  const reads: string[] = [];
  const read = sharedInFlight((key) => {
    reads.push(key);
    return answers(key, reads.length);
  });
  return { reads, read };
}

describe('shared in-flight reads', () => {
  it('shares one read among concurrent calls of the same key, not of another key', async () => {
    const { reads, read } = counted((key, n) => new Promise((r) => setTimeout(() => r(`${key}#${n}`), 10)));
    const answers = await Promise.all([read('a'), read('a'), read('b'), read('a')]);
    expect(answers).toEqual(['a#1', 'a#1', 'b#2', 'a#1']);
    expect(reads).toEqual(['a', 'b']);
  });

  it('reads again once the shared read has answered: nothing is kept', async () => {
    const { reads, read } = counted((key, n) => Promise.resolve(`${key}#${n}`));
    expect(await read('a')).toBe('a#1');
    expect(await read('a')).toBe('a#2');
    expect(reads).toEqual(['a', 'a']);
  });

  it('fails every sharer of a failed read, and reads again after it', async () => {
    const { read } = counted((_key, n) => (n === 1 ? Promise.reject(new Error('down')) : Promise.resolve('up')));
    const shared = await Promise.allSettled([read('a'), read('a')]);
    expect(shared.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await read('a')).toBe('up');
  });
});
