// Which errors mean "a dependency is away" (503, Retry-After, try again) rather than a bug
// (500): Postgres refusing or dropping connections, the pool's connect timeout, a statement
// past its timeout (cancelled by the server, or not answered at all), Redis away.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from '../workers/core/unavailable.js';
import { QueueUnavailableError } from '../queues/queue-set.js';
import { QueryReadTimeoutError } from '../db/database.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('a dependency unavailable', () => {
  it.each([
    ['too many connections (53300)', withCode('53300', 'too many connections for role "app"')],
    ['terminated by an administrator (57P01)', withCode('57P01')],
    ['the database starting up (57P03)', withCode('57P03')],
    ['a connection failure (08006)', withCode('08006')],
    ['refused', withCode('ECONNREFUSED')],
    ['the host name not resolving', withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND db.internal')],
    ['the name server away', withCode('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db.internal')],
    ['a write to a connection the server closed', withCode('EPIPE')],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
    ['refused on every address', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
    ['a wrapped cause', new Error('query failed', { cause: withCode('57P01') })],
    ['a database closed to new connections (55000)', withCode('55000', 'database "tgg" is not currently accepting connections')],
    ['Redis away', new QueueUnavailableError('reconnecting')],
    ['a statement cancelled at its statement_timeout (57014: behind a lock, or the server too busy)', withCode('57014', 'canceling statement due to statement timeout')],
    ['a statement the server never answered (db/database.ts)', new QueryReadTimeoutError()],
    ["pg's own query_timeout", new Error('Query read timeout')],
    ['a Redis command not answered within its commandTimeout (queues/connection.ts)', new Error('Command timed out')],
  ])('%s', (_what, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('Redis refusing a command while away, as ioredis says it', async () => {
    // Port 1: nothing listens. No offline queue (the producer connection): refused at once;
    // with one (a command connection), refused once its retries are used up.
    const failFast = new Redis({ port: 1, enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
    const retried = new Redis({ port: 1, maxRetriesPerRequest: 0, retryStrategy: () => 50, lazyConnect: true });
    failFast.on('error', () => undefined);
    retried.on('error', () => undefined);
    try {
      const errors = await Promise.all([failFast.ping().catch((e: unknown) => e), (retried.connect().catch(() => undefined), retried.ping().catch((e: unknown) => e))]);
      for (const error of errors) expect([error instanceof Error && error.message, isDependencyUnavailable(error)]).toEqual([expect.any(String), true]);
    } finally {
      failFast.disconnect();
      retried.disconnect();
    }
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error in our SQL', withCode('42601')],
    ['another 55000 (an object in the wrong state)', withCode('55000', 'cannot execute DROP on a busy object')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('not %s', (_what, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });
});
