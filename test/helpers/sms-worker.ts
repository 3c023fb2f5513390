// A `--role sms` worker in its own process, against a test context's database and queues and a
// test SMSC, so a test can SIGKILL it as ops or the OOM killer would.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';
import type { TestContext } from './context.js';
import { caller, newOrganization } from './identity.js';
import { startSmsc, type TestSmsc } from './smsc.js';

/** Its stdout and stderr are searched with the test file's logs (ctx.captureOutput). */
export function spawnSmsWorker(ctx: TestContext, smsc: TestSmsc, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', '--role', 'sms'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: ctx.config.databaseUrl,
      REDIS_URL: ctx.config.redisUrl,
      QUEUE_PREFIX: ctx.prefix,
      SMS_PROVIDER: 'smpp',
      SMPP_URL: smsc.url,
      WORKER_CONCURRENCY: '1',
      // The product's lock (30 s): a pause of the machine longer than half a short lock lets
      // another worker (or a runtime a later test starts) take the running job as stalled. A test
      // that needs a killed worker's job taken over soon passes a short JOB_LOCK_MS of its own.
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ctx.captureOutput(`worker-sms ${child.pid ?? '?'}`, child);
  return child;
}

/** SIGKILLs every child still running and waits for them to exit. */
export async function killAll(children: readonly ChildProcess[]): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(running.map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGKILL'); })));
}

/** A web process, a test SMSC and an organisation for tests that spawn their own SMS workers (pushed on `children`, killed after the file). */
export async function spawnedWorkersRig(ctx: TestContext, organisation: string) {
  const smsc = await startSmsc();
  const web = await ctx.start({ roles: ['web'] });
  const call = caller(web);
  const org = await newOrganization(call, ctx, organisation);
  const children: ChildProcess[] = [];
  afterAll(async () => {
    await killAll(children);
    await web.stop();
    await smsc.close();
  });
  return { smsc, web, call, org, children };
}
