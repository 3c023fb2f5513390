// One test file's world: its own database (a copy of the migrated template), its own queue
// prefix, runtimes it starts, and a cleanup that stops them all, deletes its Redis keys,
// drops its database (kept when a test of the file failed, for inspection) and fails on a
// leaked socket.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeEach, inject, onTestFailed, onTestFinished } from 'vitest';
import { createApp, type AppExtensions } from '../../api/app.js';
import { createDb, type Db } from '../../db/database.js';
import { loadConfig, type Config } from '../../workers/core/config.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../workers/runtime.js';
import { ADMIN_DATABASE_URL, REDIS_URL, databaseUrl, testDatabaseName } from './env.js';
import { findLogLeaks, outputLines } from './log-leaks.js';

export interface TestContext {
  readonly config: Config;
  readonly db: Db;
  readonly redis: Redis;
  readonly prefix: string;
  /** Log lines written by runtimes of this context (JSON objects). */
  readonly logs: Record<string, unknown>[];
  configWith(overrides: Record<string, string>): Config;
  /** Starts roles as main.ts does (`app` adds routes to the web role's app). */
  start(options: Partial<RuntimeOptions> & { config?: Config; app?: AppExtensions }): Promise<Runtime>;
  /** Every Redis key and value under this context's prefix, as one string to search. */
  redisDump(): Promise<string>;
  /** Values the file used that no log line may hold (message texts, names; phones and e-mail addresses are found by pattern). */
  used(...values: string[]): void;
  /** Keeps a child process's stdout and stderr (spawned with them piped), searched with the file's logs after it. */
  captureOutput(name: string, child: ChildProcess): void;
}

/** Runs one statement on the admin database (CREATE or DROP DATABASE). */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const isSocket = (r: string) => r === 'TCPSocketWrap' || r === 'TCPServerWrap';

/**
 * The sockets open beyond `baseline` (those open when the file began: files share their worker
 * process, so a socket another file leaked is that file's failure, not every later one's).
 */
async function openSockets(baseline: number): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    if (process.getActiveResourcesInfo().filter(isSocket).length <= baseline) return [];
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.getActiveResourcesInfo().filter(isSocket).slice(baseline);
}

export async function createTestContext(baseEnv: Record<string, string> = {}): Promise<TestContext> {
  const socketsAtStart = process.getActiveResourcesInfo().filter(isSocket).length;
  const databaseName = testDatabaseName('file');
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${databaseName}" TEMPLATE "${inject('templateDatabase')}"`);

  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(databaseName),
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    // The links the tests read out of mails carry it; the runtime listens on a port of its own.
    PUBLIC_URL: 'http://localhost:3000',
    LOG_LEVEL: 'info',
    RECONCILE_INTERVAL_MS: '3600000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...baseEnv,
  };
  const configWith = (overrides: Record<string, string>) => loadConfig({ ...env, ...overrides });
  const config = configWith({});
  const db = createDb(config.databaseUrl, { max: 4 });
  const redis = new Redis(REDIS_URL);
  const logs: Record<string, unknown>[] = [];
  // debug, not the default info: the leak search below reads every line the code can write.
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const runtimes: Runtime[] = [];
  const secrets = [config.ops.password];
  const outputs: { name: string; chunks: string[] }[] = [];
  let failed = false;

  const context: TestContext = {
    config,
    db,
    redis,
    prefix,
    logs,
    configWith,
    async start({ app, ...options }) {
      const runtime = await startRuntime(options.config ?? config, { roles: ['web'], logger, web: (deps) => createApp(deps, app), ...options });
      runtimes.push(runtime);
      return runtime;
    },
    async redisDump() {
      const keys = await redis.keys(`${prefix}:*`);
      const parts: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string' ? await redis.get(key)
          : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
          : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
          : type === 'set' ? JSON.stringify(await redis.smembers(key))
          : type === 'zset' ? JSON.stringify(await redis.zrange(key, '0', '-1'))
          : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
          : '';
        parts.push(`${key} ${value ?? ''}`);
      }
      return parts.join('\n');
    },
    used(...values) {
      secrets.push(...values);
    },
    captureOutput(name, child) {
      const output = { name, chunks: [] as string[] };
      outputs.push(output);
      for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => void output.chunks.push(chunk.toString('utf8')));
    },
  };

  // Any failed test of the file keeps the database for inspection.
  beforeEach(() => {
    onTestFailed(() => {
      failed = true;
    });
  });

  afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await db.destroy();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    if (!failed) await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    else console.warn(`kept database ${databaseName} for inspection`);
    const leaks = findLogLeaks([...logs, ...outputs.flatMap((o) => outputLines(o.name, o.chunks.join('')))], secrets);
    if (leaks.length > 0) throw new Error(`log lines carry personal data or secrets: ${JSON.stringify(leaks.slice(0, 10))}`);
    const leaked = await openSockets(socketsAtStart);
    if (leaked.length > 0) throw new Error(`test file leaked ${leaked.length} socket(s): ${leaked.join(', ')}`);
  });
  return context;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Call inside a test: stops the runtime when the test ends, passed or not, and waits for its fail-fast producer connection. */
export async function started(runtime: Runtime): Promise<Runtime> {
  onTestFinished(() => runtime.stop());
  await waitFor(() => Promise.resolve(runtime.deps.queues.connection.status === 'ready'), 'the producer connection');
  return runtime;
}
