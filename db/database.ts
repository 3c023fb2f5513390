// The Kysely instance on a pg pool, with type parsers chosen on purpose.
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
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

/** Past its statement timeout plus this, a statement the server has not answered is taken as lost: the server would have cancelled it (57014) by then. */
export const QUERY_GRACE_MS = 2_000;

/** A statement the server did not answer within its bound (a server or network that went silent); its connection is dropped. pg's own query_timeout says the same. */
export class QueryReadTimeoutError extends Error {
  readonly code = 'QUERY_READ_TIMEOUT';
  constructor() {
    super('Query read timeout');
  }
}

/** Marks the statement allowLongStatements sends: the client turns it into SET LOCAL statement_timeout = its long bound. */
const LONG_STATEMENTS = '/* long statements */';

interface TimedClientConfig extends pg.ClientConfig {
  /** What allowLongStatements lifts a transaction's statement timeout to (ms; 0: none). */
  longStatementTimeoutMs?: number;
}

class PreparingClient extends pg.Client {
  private readonly statementTimeoutMs: number;
  private readonly longStatementTimeoutMs: number;
  /** Set by allowLongStatements until the transaction ends (the pool's release). */
  private lifted = false;

  constructor(config: TimedClientConfig = {}) {
    super(config);
    this.statementTimeoutMs = typeof config.statement_timeout === 'number' ? config.statement_timeout : 0;
    this.longStatementTimeoutMs = config.longStatementTimeoutMs ?? this.statementTimeoutMs;
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
      return this.bounded(this.copyIn(text, values[0] as CopySource)) as never;
    }
    if (typeof text === 'string' && text.startsWith(PREPARED) && (values === undefined || Array.isArray(values)) && args.length <= 2) {
      return this.bounded(super.query({ name: preparedName(text), text, values: values as unknown[] | undefined })) as never;
    }
    if (text === LONG_STATEMENTS && args.length <= 2) {
      this.lifted = true;
      return this.bounded(super.query(`SET LOCAL statement_timeout = ${this.longStatementTimeoutMs}`)) as never;
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) return this.bounded(result) as never;
    // A COPY stream of pg-copy-streams (a connection of its own: openConnection) is a statement
    // too: not finished within the bound, its connection is dropped and the stream fails.
    if (result instanceof Readable || result instanceof Writable) this.bounded(finished(result)).catch(() => undefined);
    return result as never;
  }

  /**
   * Ends the connection. A server that does not answer the goodbye within QUERY_GRACE_MS (a
   * partition, a stopped host) loses the socket instead: pg's end() waited for it for ever.
   */
  async close(): Promise<void> {
    const timer = setTimeout(() => this.connection.stream.destroy(), QUERY_GRACE_MS);
    try {
      await this.end();
    } catch {
      // Ended already, or by the timer.
    } finally {
      clearTimeout(timer);
    }
  }

  /** The transaction that lifted its statement timeout has ended: back to the pool's. */
  endLift(): void {
    this.lifted = false;
  }

  /**
   * The client's side of the statement timeout: a server that has not answered by the timeout
   * plus a grace has gone silent (a partition, a stopped host), and would hold the caller for
   * ever. The connection is dropped (the statement fails with QueryReadTimeoutError, and the
   * pool discards the client on its release).
   */
  private bounded<T>(work: Promise<T>): Promise<T> {
    const timeoutMs = this.lifted ? this.longStatementTimeoutMs : this.statementTimeoutMs;
    if (timeoutMs === 0) return work;
    const timer = setTimeout(() => this.connection.stream.destroy(new QueryReadTimeoutError()), timeoutMs + QUERY_GRACE_MS);
    return work.finally(() => clearTimeout(timer));
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
export async function copyIntoTable(trx: Transaction<Database>, target: string, source: CopySource): Promise<void> {
  // The COPY lasts as long as its source: a bulk batch's takes seconds, longer than a request's statements may.
  await allowLongStatements(trx);
  await trx.executeQuery(CompiledQuery.raw(`${COPY_FROM_STDIN}COPY ${target} FROM STDIN`, [source]));
}

/**
 * Lifts the statement timeout of the rest of this transaction to the pool's long one
 * (`SET LOCAL`): for the few statements of a web request that may rightly run long (a bulk
 * COPY). A process running workers has the long one on every statement already.
 */
export async function allowLongStatements(trx: Transaction<Database>): Promise<void> {
  await trx.executeQuery(CompiledQuery.raw(LONG_STATEMENTS));
}

/**
 * A transaction whose statements may rightly run long in a web request: one that moves every
 * message of a batch or every row of an upload at once (a cancel of 1,000,000 queued messages
 * took 11 s). Its statements get the long bound (allowLongStatements) instead of the request's.
 */
export function bulkTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await allowLongStatements(trx);
    return work(trx);
  });
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
  /**
   * The server cancels a statement that runs longer (statement_timeout: 57014), and the client
   * drops a connection whose statement is not answered QUERY_GRACE_MS after it. 0 or unset: none.
   */
  statementTimeoutMs?: number;
  /** What allowLongStatements lifts a transaction to (0: none); the statement timeout when unset. */
  longStatementTimeoutMs?: number;
  /** No connection (or free place in the pool) within this: 'timeout exceeded when trying to connect'. */
  connectTimeoutMs?: number;
}

/** What every connection of the platform's is opened with, pooled or its own: the one place its bounds are set. */
function clientConfig(databaseUrl: string, options: DbOptions): TimedClientConfig & { connectionTimeoutMillis: number } {
  return {
    connectionString: databaseUrl,
    application_name: options.applicationName ?? 'tgg',
    types: typeParsers,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // Sent at connect (a startup parameter), so it costs no statement.
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.longStatementTimeoutMs !== undefined && { longStatementTimeoutMs: options.longStatementTimeoutMs }),
  };
}

export function createPool(databaseUrl: string, options: DbOptions = {}): pg.Pool {
  const config: TimedClientConfig & pg.PoolConfig = { ...clientConfig(databaseUrl, options), Client: PreparingClient, max: options.max ?? 10, idleTimeoutMillis: 30_000 };
  const pool = new pg.Pool(config);
  pool.on('error', (error) => options.onIdleError?.(error));
  pool.on('release', (_error, client: unknown) => {
    if (client instanceof PreparingClient) client.endLift();
  });
  return pool;
}

/** A connection a process opens for itself (openConnection): a pg client with the pool's bounds, and close(). */
export type OwnConnection = pg.Client & { close(): Promise<void> };

/** Where and how long: the process's config (DATABASE_URL, DB_LONG_STATEMENT_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS). */
export interface ConnectionSettings {
  readonly databaseUrl: string;
  readonly db: { readonly longStatementTimeoutMs: number; readonly connectTimeoutMs: number };
}

/**
 * A connection of its own, for work that streams through one statement outside the pool (the
 * CSV intake's COPY, a TEM parse's transaction and its raw-file read): connected within
 * DB_CONNECT_TIMEOUT_MS, and every statement, COPY streams included, bounded by the long
 * statement timeout (the server cancels it, 57014) plus QUERY_GRACE_MS (the client drops a
 * connection the server has not answered: a partition, a stopped host). Close it with close(),
 * which does not wait for a silent server either.
 */
export async function openConnection(settings: ConnectionSettings, applicationName: string, options: { unboundedStatements?: boolean } = {}): Promise<OwnConnection> {
  // unboundedStatements: a statement that lasts as long as its client's upload (the CSV intake's
  // COPY), which bounds its own waits on the server instead (message-copy.ts).
  const timeoutMs = options.unboundedStatements ? 0 : settings.db.longStatementTimeoutMs;
  const client = new PreparingClient(clientConfig(settings.databaseUrl, { applicationName, connectTimeoutMs: settings.db.connectTimeoutMs, statementTimeoutMs: timeoutMs, longStatementTimeoutMs: timeoutMs }));
  await client.connect();
  return client;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(databaseUrl, options) }) });
}
