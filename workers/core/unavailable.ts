// Errors that mean a dependency (Postgres, Redis) cannot be reached or did not answer in time,
// not that the request or the code is wrong: every HTTP server of the platform (the API's one
// error mapper, a worker's /metrics) answers them 503 with Retry-After, and the caller may try again.
import { QueueUnavailableError } from '../../queues/queue-set.js';

/**
 * SQLSTATE classes and codes of a server that refuses or lost the connection, whose database is
 * not there (3D000: dropped, or being restored), or that cancelled a statement past its
 * statement_timeout (57014: stuck behind a lock, or the server too busy).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57014|57P0[1-3]|3D000)$/;
/** pg-pool and node-postgres: no connection within connectionTimeoutMillis, one that died mid-query, or a statement not answered in time (db/database.ts, pg's query_timeout). */
const UNAVAILABLE_MESSAGE = /^(timeout exceeded when trying to connect|Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Query read timeout)$/;
/** 55000 is mostly a bug of ours; with this message it is a database closed to new connections (ALLOW_CONNECTIONS false, as for maintenance). */
const DATABASE_CLOSED = /^database ".*" is not currently accepting connections$/;
/** The socket calls of a server that cannot be reached: also its name not resolving (a database host being replaced) and a write to a connection it closed. */
const UNAVAILABLE_SYSCALL = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** ioredis: a command on a connection that is closed or not ready (offline queue off), retried to its limit, or not answered within commandTimeout (a Redis that holds the connection but does not answer). */
const REDIS_UNAVAILABLE = /^(Connection is closed\.|Stream isn't writeable and enableOfflineQueue options is false|Command timed out)$/;

export function isDependencyUnavailable(error: unknown): boolean {
  if (error instanceof QueueUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SYSCALL.has(code))) return true;
  if (UNAVAILABLE_MESSAGE.test(error.message) || REDIS_UNAVAILABLE.test(error.message) || error.name === 'MaxRetriesPerRequestError') return true;
  if (code === '55000' && DATABASE_CLOSED.test(error.message)) return true;
  // An AggregateError (a refused connection on every address) or a wrapped cause.
  const inner = error instanceof AggregateError ? error.errors : 'cause' in error ? [error.cause] : [];
  return inner.some((e) => e !== error && isDependencyUnavailable(e));
}

/** The problem+json (RFC 9457) of a request refused because a dependency is away, and how soon to try again. */
export const UNAVAILABLE_PROBLEM = {
  type: '/problems/unavailable',
  title: 'Service Unavailable',
  status: 503,
  detail: 'A service the platform depends on is not reachable; the request was not completed. Try again.',
} as const;
export const UNAVAILABLE_RETRY_AFTER_S = 5;
/** An error of ours: nothing of it is told. */
export const INTERNAL_PROBLEM = { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Something went wrong on our side.' } as const;
