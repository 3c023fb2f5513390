// Issue 16, all-in-one intake: while a long intake runs, the jobs held back go one at a time,
// one every 2 s, oldest first, not all together once each has waited 2 s (the 4 chunk jobs of a
// sending process then each sent a window every 2 s of the intake). When it ends, all go.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { beginIntake, intakeIdle } from '../workers/core/intake-gate.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

it('lets one waiter go every 2 s while an intake runs, oldest first, and all once it ends', async () => {
  const end = beginIntake();
  const gone: number[] = [];
  for (const job of [1, 2, 3, 4]) void intakeIdle().then(() => gone.push(job));
  await vi.advanceTimersByTimeAsync(1_999);
  expect(gone).toEqual([]);
  await vi.advanceTimersByTimeAsync(1);
  expect(gone).toEqual([1]);
  await vi.advanceTimersByTimeAsync(2_000);
  expect(gone).toEqual([1, 2]);
  end();
  await vi.advanceTimersByTimeAsync(0);
  expect(gone).toEqual([1, 2, 3, 4]);
});

it('does not hold a job when no intake runs, nor after the last of two ends', async () => {
  let idle = false;
  void intakeIdle().then(() => (idle = true));
  await vi.advanceTimersByTimeAsync(0);
  expect(idle).toBe(true);
  const first = beginIntake();
  const second = beginIntake();
  let went = false;
  void intakeIdle().then(() => (went = true));
  first();
  first();
  await vi.advanceTimersByTimeAsync(0);
  expect(went).toBe(false);
  second();
  await vi.advanceTimersByTimeAsync(0);
  expect(went).toBe(true);
  expect(vi.getTimerCount()).toBe(0);
});
