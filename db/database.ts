// The Kysely instance on a pg pool, with type parsers chosen on purpose.
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from './schema.js';

const INT8_OID = 20;

/**
 * int8 (counts, bigserial ids) arrives as a JS number, refusing values past 2^53 rather than
 * rounding them. numeric stays a string: money is never a float.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value beyond Number.MAX_SAFE_INTEGER`);
  return n;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

export type Db = Kysely<Database>;

/**
 * A statement whose text starts with this comment is prepared once per connection (a named
 * statement, planned once) instead of parsed and planned on every call. For the statements
 * the send path runs hundreds of times a second: their parse and plan cost about a sixth of
 * their time. Only where the plan does not depend on the values (arrays, a batch's seq range).
 */
export const PREPARED = '/* prepared */';

const preparedNames = new Map<string, string>();

function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    name = `tgg_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    preparedNames.set(text, name);
  }
  return name;
}

class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // The server may end a connection while a transaction holds it checked out of the pool (a
    // restart, pg_terminate_backend, between two statements): pg-pool listens only on idle
    // clients, and an unheard 'error' event would end the process. The client is then not
    // queryable: the transaction's next statement fails (503 at the API), and the pool drops
    // the client when it comes back.
    this.on('error', () => undefined);
  }

  // Kysely calls query(text, values); a marked text goes as a named statement, or as a COPY.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && text.startsWith(COPY_FROM_STDIN) && Array.isArray(values) && args.length === 2) {
      return this.copyIn(text, values[0] as CopySource) as never;
    }
    if (typeof text === 'string' && text.startsWith(PREPARED) && (values === undefined || Array.isArray(values)) && args.length <= 2) {
      return super.query({ name: preparedName(text), text, values: values as unknown[] | undefined }) as never;
    }
    return (super.query as (...a: unknown[]) => unknown)(...args) as never;
  }

  /** A COPY FROM STDIN fed from `source`; if the source fails, the COPY fails (CopyFail) and the connection stays usable. */
  private async copyIn(text: string, source: CopySource): Promise<{ command: string; rowCount: number; rows: never[] }> {
    const stream = (super.query as (q: unknown) => ReturnType<typeof copyFrom>)(copyFrom(text));
    await pipeline(Readable.from(source), stream);
    return { command: 'COPY', rowCount: stream.rowCount, rows: [] };
  }
}

/** COPY text lines, in pieces of any size. */
export type CopySource = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Marks a statement text as a COPY FROM STDIN whose one parameter is its data (copyIn). */
const COPY_FROM_STDIN = '/* copy from stdin */ ';

/**
 * `COPY <table> (<columns>) FROM STDIN` on this executor's connection, so inside its
 * transaction: `source` gives the COPY text lines, in pieces of any size. Nothing is stored
 * if the source throws (the COPY fails, and with it the transaction).
 */
export async function copyIntoTable(db: Kysely<Database>, target: string, source: CopySource): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(`${COPY_FROM_STDIN}COPY ${target} FROM STDIN`, [source]));
}

export interface DbOptions {
  max?: number;
  applicationName?: string;
  /**
   * An idle connection the server closed (a restart, an administrator): the pool has dropped
   * it and opens another when needed. Without a listener the pool's 'error' event would end
   * the process.
   */
  onIdleError?: (error: Error) => void;
}

export function createPool(databaseUrl: string, options: DbOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'tgg',
    types: typeParsers,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(databaseUrl, options) }) });
}
