// A benchmark's scratch state: its database, its Redis keys and its child processes, all
// removed at the end, also when the run fails or is interrupted.
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { stopProcess } from './processes.js';

export interface ScratchOptions {
  readonly adminUrl: string;
  readonly database: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly children: ChildProcess[];
}

export async function admin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function scratch(options: ScratchOptions) {
  const dropDatabase = () => admin(options.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${options.database}" WITH (FORCE)`));
  async function deleteRedisKeys(): Promise<void> {
    const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${options.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  let cleaned: Promise<void> | undefined;
  function cleanup(): Promise<void> {
    return (cleaned ??= (async () => {
      await Promise.all(options.children.map((c) => stopProcess(c, 10_000)));
      for (const [what, step] of [
        ['Redis keys', deleteRedisKeys],
        ['database', dropDatabase],
      ] as const) {
        await step().catch((error: unknown) => console.error(`cleanup of the ${what} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    })());
  }
  function onSignal(signal: NodeJS.Signals): void {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  }
  /** Runs a benchmark on a fresh database, and removes everything after it, also on Ctrl-C. */
  async function run<T>(body: () => Promise<T>): Promise<T> {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await dropDatabase();
      await admin(options.adminUrl, (c) => c.query(`CREATE DATABASE "${options.database}"`));
      return await body();
    } finally {
      await cleanup();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  return { run };
}
