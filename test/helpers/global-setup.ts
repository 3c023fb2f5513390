// Builds the migrated template database once per run; each test file copies it
// (CREATE DATABASE ... TEMPLATE), so files run in parallel and every rerun starts clean.
// Databases of an earlier run (kept for inspection when a test failed) are dropped here.
import pg from 'pg';
import { createDb } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { ADMIN_DATABASE_URL, TEMPLATE_DATABASE, TEST_DATABASE_PREFIX, databaseUrl } from './env.js';

export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${TEST_DATABASE_PREFIX}%`]);
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  } finally {
    await admin.end();
  }
  const db = createDb(databaseUrl(TEMPLATE_DATABASE), { max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
