// The platform as production runs it: each Procfile line its own child process. The Procfile's
// `node dist/main.js …` runs as `node --import tsx main.ts …` (the same entry, without a build).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll } from 'vitest';
import { loadConfig } from '../../workers/core/config.js';
import type { TestContext } from '../helpers/context.js';
import { caller, newOrganization, type Call, type NewOrganization } from '../helpers/identity.js';
import { findLogLeaks, outputLines, type LogLeak } from '../helpers/log-leaks.js';

const PROCFILE = Object.fromEntries(
  readFileSync('Procfile', 'utf8')
    .split('\n')
    .filter((line) => line.includes(':'))
    .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]),
);

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Everything it wrote, stdout and stderr. */
  readonly output: string[];
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function start(name: string, env: Record<string, string>): Child {
  const command = PROCFILE[name];
  if (!command) throw new Error(`no Procfile line ${name}`);
  const [, ...args] = command.replace('dist/main.js', 'main.ts').split(/\s+/);
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  return {
    name,
    process: child,
    output,
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once `url` answers 200 (the web process is up). */
export async function answering(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer`);
}

export interface Fleet {
  /** Starts a Procfile line with the fleet's environment (and these overrides). */
  run(name: string, extra?: Record<string, string>): Child;
  readonly children: readonly Child[];
  /** Values the case used that no log line may hold: API keys, message text, names (phones and e-mail addresses are found by pattern). */
  used(...values: string[]): void;
  /** SIGTERMs every child and waits for it. */
  stopAll(): Promise<void>;
  /** The tail of every child's output, for a failed test. */
  tails(): string;
  /** What the children's output holds that no log line may (test/helpers/log-leaks.ts). */
  logLeaks(): LogLeak[];
}

/**
 * The processes of one chaos case. When the file's tests are done it stops them all and searches
 * their stdout and stderr as the tests' own logs are searched (issue 17: no secret, key, token or
 * personal data in any log line): the patterns, the secrets of the environment, and what `used` added.
 */
export function fleet(env: Record<string, string>): Fleet {
  const children: Child[] = [];
  const config = loadConfig({ ...process.env, ...env });
  const secrets = [config.ops.password, config.ops.readonlyPassword ?? '', config.secretKey, config.suppressionKey];
  const platform: Fleet = {
    children,
    run(name, extra = {}) {
      const child = start(name, { ...env, ...extra });
      children.push(child);
      return child;
    },
    used(...values) {
      secrets.push(...values);
    },
    async stopAll() {
      for (const child of children) await child.kill('SIGTERM');
    },
    tails: () => children.map((c) => `--- ${c.name}\n${c.output.join('').slice(-3000)}`).join('\n'),
    logLeaks: () => findLogLeaks(children.flatMap((c) => outputLines(c.name, c.output.join(''))), secrets),
  };
  afterAll(async () => {
    await platform.stopAll();
    const leaks = platform.logLeaks();
    if (leaks.length > 0) throw new Error(`the chaos processes logged personal data or secrets: ${JSON.stringify(leaks.slice(0, 10))}`);
  });
  return platform;
}

/** What every process of a chaos case runs with: the test file's database, Redis and prefix, `port` for the web role, warnings only; `extra` adds or overrides. */
export function chaosEnv(ctx: Pick<TestContext, 'config' | 'prefix'>, port: number | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: ctx.config.databaseUrl,
    REDIS_URL: ctx.config.redisUrl,
    QUEUE_PREFIX: ctx.prefix,
    ...(port !== undefined && { PORT: String(port) }),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Once the fleet's web process is ready: a new organisation made through its API, its key and name noted as used. */
export async function organisationOn(platform: Fleet, ctx: TestContext, port: number, name: string): Promise<{ call: Call; org: NewOrganization }> {
  await answering(`http://127.0.0.1:${port}/readyz`, 180_000);
  const call = caller({ port } as never);
  const org = await newOrganization(call, ctx, name);
  platform.used(org.key, name);
  return { call, org };
}
