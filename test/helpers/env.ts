// Where the tests find Postgres and Redis; override with TEST_DATABASE_ADMIN_URL and TEST_REDIS_URL.
import { randomBytes } from 'node:crypto';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_DATABASE_PREFIX = 'tgg_test_';

/** tgg_test_<unix seconds>_<kind>_<random>: the time lets a later run drop what was left. */
export function testDatabaseName(kind: string): string {
  return `${TEST_DATABASE_PREFIX}${Math.floor(Date.now() / 1000)}_${kind}_${randomBytes(4).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
