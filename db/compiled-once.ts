// Statements whose text does not depend on their values (a bearer lookup with its hashes as one
// array, a group's write with every column as an array) run hundreds of times a second: built
// and compiled by Kysely once per process, then sent with each call's values where the
// placeholders were. Building and compiling the key lookup cost 16-33 µs of CPU each time, a
// reused one 0.05-0.2 µs; the SMS group's statement likewise (bench/JOURNAL.md, issue 17).
import type { CompiledQuery, Kysely } from 'kysely';
import { PREPARED } from './database.js';
import type { Database } from './schema.js';

/** A query builder's query, or a raw `sql` template (which compiles with the database's executor). */
interface Compiles<R> {
  compile(db: Kysely<Database>): CompiledQuery<R>;
}

/** Stands for a named value while the statement is compiled. */
class Placeholder {
  constructor(readonly name: string) {}
}

/**
 * `build` once, with a placeholder for each value it reads from `values` (by name), compiled;
 * then each call answers that statement with the call's values in their places, and the
 * builder's constants (such as `false`) as they were. `build` must only place its values in the
 * statement (never read into them): at compile time they are placeholders. A plugin's
 * transformQuery (tests count statements with one) sees the statement once, at its compile.
 */
export interface CompiledOnceOptions {
  /**
   * Sent as a named prepared statement (db/database.ts PREPARED): parsed and planned once per
   * connection. Only for a statement whose plan does not depend on its values (arrays of them),
   * and whose result names its columns (a `*` over a table whose columns a migration changes
   * fails a prepared statement with "cached plan must not change result type").
   */
  readonly prepared?: boolean;
  /**
   * While the database carries plugins, built and compiled on every call, as a plain statement
   * is: a plugin's transformQuery then sees each call (tests that watch a statement so).
   */
  readonly perCallWithPlugins?: boolean;
}

export function compiledOnce<V extends object, R>(build: (db: Kysely<Database>, values: V) => Compiles<R>, options: CompiledOnceOptions = {}) {
  let compiled: { readonly query: CompiledQuery<R>; readonly names: readonly (string | null)[] } | undefined;
  return (db: Kysely<Database>, values: V): CompiledQuery<R> => {
    if (options.perCallWithPlugins && db.getExecutor().plugins.length > 0) {
      const built = build(db, values).compile(db);
      return options.prepared ? { ...built, sql: `${PREPARED}\n${built.sql}` } : built;
    }
    if (!compiled) {
      const placeholders = new Map<string, Placeholder>();
      const named = new Proxy({} as V, {
        get: (_target, name) => {
          if (typeof name !== 'string') return undefined;
          let placeholder = placeholders.get(name);
          if (!placeholder) placeholders.set(name, (placeholder = new Placeholder(name)));
          return placeholder;
        },
      });
      const built = build(db, named).compile(db);
      const query = options.prepared ? { ...built, sql: `${PREPARED}\n${built.sql}` } : built;
      compiled = { query, names: query.parameters.map((p) => (p instanceof Placeholder ? p.name : null)) };
    }
    const { query, names } = compiled;
    const given = values as Readonly<Record<string, unknown>>;
    return { ...query, parameters: names.map((name, i) => (name === null ? query.parameters[i] : given[name])) };
  };
}
