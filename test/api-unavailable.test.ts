// Which errors mean "a dependency is away" (503, Retry-After, try again) rather than a bug
// (500): Postgres refusing or dropping connections, the pool's connect timeout, Redis away.
import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from '../api/unavailable.js';
import { QueueUnavailableError } from '../queues/queue-set.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('a dependency unavailable', () => {
  it.each([
    ['too many connections (53300)', withCode('53300', 'too many connections for role "app"')],
    ['terminated by an administrator (57P01)', withCode('57P01')],
    ['the database starting up (57P03)', withCode('57P03')],
    ['a connection failure (08006)', withCode('08006')],
    ['refused', withCode('ECONNREFUSED')],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
    ['refused on every address', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
    ['a wrapped cause', new Error('query failed', { cause: withCode('57P01') })],
    ['a database closed to new connections (55000)', withCode('55000', 'database "tgg" is not currently accepting connections')],
    ['Redis away', new QueueUnavailableError('reconnecting')],
  ])('%s', (_what, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error in our SQL', withCode('42601')],
    ['a statement timeout (ours to fix)', withCode('57014')],
    ['another 55000 (an object in the wrong state)', withCode('55000', 'cannot execute DROP on a busy object')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('not %s', (_what, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });
});
