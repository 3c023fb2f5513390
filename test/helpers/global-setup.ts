// Builds the migrated template database once per run; each test file copies it
// (CREATE DATABASE ... TEMPLATE), so files run in parallel and every rerun starts clean.
// Names carry their creation time: databases of runs over an hour old (kept for inspection
// when a test failed, or left by a killed run) are dropped here; concurrent runs are left alone.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { ADMIN_DATABASE_URL, TEST_DATABASE_PREFIX, databaseUrl, testDatabaseName } from './env.js';

const STALE_AFTER_SECONDS = 3600;

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = testDatabaseName('template');
  await withAdmin(async (admin) => {
    const existing = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${TEST_DATABASE_PREFIX}%`]);
    const now = Math.floor(Date.now() / 1000);
    for (const { datname } of existing.rows) {
      const created = Number(/^tgg_test_(\d+)_/.exec(datname)?.[1] ?? 0);
      if (now - created > STALE_AFTER_SECONDS) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${template}"`);
  });
  const db = createDb(databaseUrl(template), { max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  project.provide('templateDatabase', template);
  return async () => {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`));
  };
}
