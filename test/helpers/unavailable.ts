// What every request refused for a dependency that is away or silent must look like: 503
// problem+json with Retry-After, and nothing of the dependency (host, socket error, timeout
// text, stack) in the body.
import { expect } from 'vitest';
import type { Answer } from './identity.js';

export function expectUnavailable(answer: Answer, what = ''): void {
  expect([what, answer.status, answer.headers.get('content-type'), answer.headers.get('retry-after'), answer.body?.type]).toEqual([
    what,
    503,
    'application/problem+json; charset=utf-8',
    '5',
    '/problems/unavailable',
  ]);
  expect(JSON.stringify(answer.body)).not.toMatch(/127\.0\.0\.1|localhost|ECONN|timed out|at \w/);
}
