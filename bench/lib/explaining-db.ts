// A Kysely whose every SELECT, UPDATE and DELETE is first run under EXPLAIN (ANALYZE) and rolled
// back (a savepoint inside a transaction, its own transaction outside one), then run for real:
// the plans of exactly the statements the code sends, with their real parameters, on the data
// as it was just before each ran. For benchmarks only: everything is done twice.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../db/schema.js';

export interface Explained {
  /** What the caller was doing (set with `during`). */
  readonly label: string;
  readonly sql: string;
  readonly plan: readonly string[];
}

const EXPLAINED = new Set(['select', 'update', 'delete', 'with']);

export function explainingDb(databaseUrl: string): { db: Kysely<Database>; plans: Explained[]; during(label: string): void } {
  const plans: Explained[] = [];
  let label = '';
  class ExplainingClient extends pg.Client {
    private inTransaction = false;
    override query(...args: unknown[]): never {
      const run = (text: string, values?: unknown[]) => (super.query as (t: string, v?: unknown[]) => Promise<pg.QueryResult>).call(this, text, values);
      const [text, values] = args;
      if (typeof text !== 'string' || args.length > 2) return (super.query as (...a: unknown[]) => unknown)(...args) as never;
      const verb = /^\s*(?:\/\*.*?\*\/\s*)?(\w+)/s.exec(text)?.[1]?.toLowerCase() ?? '';
      if (verb === 'begin' || verb === 'start') this.inTransaction = true;
      if (verb === 'commit' || verb === 'rollback') this.inTransaction = false;
      if (!EXPLAINED.has(verb)) return run(text, values as unknown[] | undefined) as never;
      return (async () => {
        const [open, close] = this.inTransaction ? ['SAVEPOINT bench_explain', 'ROLLBACK TO SAVEPOINT bench_explain'] : ['BEGIN', 'ROLLBACK'];
        await run(open);
        try {
          const result = await run(`EXPLAIN (ANALYZE, COSTS OFF) ${text}`, values as unknown[] | undefined);
          plans.push({ label, sql: text, plan: result.rows.map((r: Record<string, string>) => r['QUERY PLAN'] ?? '') });
        } finally {
          await run(close);
        }
        return run(text, values as unknown[] | undefined);
      })() as never;
    }
  }
  const pool = new pg.Pool({ Client: ExplainingClient, connectionString: databaseUrl, max: 1 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, plans, during: (l) => (label = l) };
}
