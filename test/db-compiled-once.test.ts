// db/compiled-once.ts: a statement built and compiled once, sent with each call's values; with
// perCallWithPlugins, built per call while the database carries plugins, so that a plugin's
// transformQuery sees every call (test/sms-chunk-close.test.ts counts the SMS claims so).
// No Postgres here: a driver that answers no rows.
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compiledOnce } from '../db/compiled-once.js';
import { PREPARED } from '../db/database.js';
import type { Database } from '../db/schema.js';

const connection = { executeQuery: () => Promise.resolve({ rows: [] }), streamQuery: async function* () {} };
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => ({
      init: () => Promise.resolve(),
      acquireConnection: () => Promise.resolve(connection),
      beginTransaction: () => Promise.resolve(),
      commitTransaction: () => Promise.resolve(),
      rollbackTransaction: () => Promise.resolve(),
      releaseConnection: () => Promise.resolve(),
      destroy: () => Promise.resolve(),
    }),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (k) => new PostgresIntrospector(k),
  },
});

/** A plugin that counts the statements it is shown to transform. */
function watcher() {
  const seen = { count: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      seen.count += 1;
      return node;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
  return { seen, db: db.withPlugin(plugin) };
}

function statement(options: Parameters<typeof compiledOnce>[1]) {
  let built = 0;
  const compile = compiledOnce((_db, v: { id: number; name: string }) => {
    built += 1;
    return sql`SELECT ${v.id}::int AS id, ${v.name}::text AS name, ${'constant'}::text AS c WHERE ${v.id} > 0`;
  }, options);
  return { compile, built: () => built };
}

describe('compiledOnce', () => {
  it('builds once and places each call\'s values, the constants kept', () => {
    const s = statement({ prepared: true });
    const first = s.compile(db, { id: 1, name: 'een' });
    const second = s.compile(db, { id: 2, name: 'twee' });
    expect(s.built()).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect(first.sql.startsWith(`${PREPARED}\n`)).toBe(true);
    expect(first.parameters).toEqual([1, 'een', 'constant', 1]);
    expect(second.parameters).toEqual([2, 'twee', 'constant', 2]);
  });

  it('with perCallWithPlugins, shows a plugin every call, the same statement and values (old code: once)', async () => {
    const s = statement({ prepared: true, perCallWithPlugins: true });
    const plain = s.compile(db, { id: 1, name: 'een' });
    const { seen, db: watched } = watcher();
    for (const id of [1, 2, 3]) {
      const query = s.compile(watched, { id, name: 'naam' });
      expect(query.sql).toBe(plain.sql);
      expect(query.parameters).toEqual([id, 'naam', 'constant', id]);
      await watched.executeQuery(query);
    }
    expect(seen.count).toBe(3);
    // Without plugins it is still compiled once.
    s.compile(db, { id: 4, name: 'vier' });
    expect(s.built()).toBe(4);
  });

  it('without the option, a plugin sees the statement once, at its compile', () => {
    const s = statement({});
    const { seen, db: watched } = watcher();
    for (const id of [1, 2, 3]) s.compile(watched, { id, name: 'naam' });
    expect(seen.count).toBe(1);
    expect(s.built()).toBe(1);
  });
});
