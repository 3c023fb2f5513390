import { Migrator, type MigrationResultSet } from 'kysely';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = result.error instanceof Error ? result.error.message : 'unknown error';
    // No migration named: the Migrator failed before running one (its own table or lock refused).
    throw new Error(failed ? `migration ${failed} failed: ${reason}` : `migrations could not start: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).map((r) => `${r.direction} ${r.migrationName}`);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  return unwrap(await migrator(db).migrateToLatest());
}

export async function migrateDown(db: Db): Promise<string[]> {
  return unwrap(await migrator(db).migrateDown());
}

export async function migrateToEmpty(db: Db): Promise<string[]> {
  const { NO_MIGRATIONS } = await import('kysely');
  return unwrap(await migrator(db).migrateTo(NO_MIGRATIONS));
}

/** Up or down to the named migration: for testing what a migration does to the rows it finds. */
export async function migrateTo(db: Db, name: string): Promise<string[]> {
  return unwrap(await migrator(db).migrateTo(name));
}
