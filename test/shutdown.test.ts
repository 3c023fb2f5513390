// Shutdown: a worker lets its running job finish; past the deadline it aborts the job, which
// is not lost but runs again; the real process stops on SIGTERM with exit code 0 and refuses a
// bad configuration with a message naming every bad variable.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Handler } from '../workers/core/handler.js';
import { loadAllHandlers } from '../workers/handlers.js';
import { createTestContext, started, waitFor } from './helpers/context.js';

const HANDLERS = await loadAllHandlers();

const ctx = await createTestContext();

function withMailHandler(handler: Handler<'mail.send'>) {
  return { ...HANDLERS, 'mail.send': handler };
}

describe('runtime.stop()', () => {
  it('lets an active job finish before it resolves', async () => {
    let finished = false;
    const runtime = await started(
      await ctx.start({
        roles: ['mail'],
        handlers: withMailHandler(async () => {
          await sleep(1_000);
          finished = true;
          return { sent: 1, failed: 0 };
        }),
      }),
    );
    const inspector = await started(await ctx.start({ roles: [] }));
    const queue = inspector.deps.queues.get('mail');
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId: randomUUID() });
    await waitFor(async () => (await queue.getJobState(jobId)) === 'active', 'the job to be active');

    await runtime.stop();
    expect(finished).toBe(true);
    expect(await queue.getJobState(jobId)).toBe('completed');
    expect((await queue.getJob(jobId))?.returnvalue).toEqual({ sent: 1, failed: 0 });
    expect(ctx.logs.some((l) => l.msg === 'shutdown deadline passed: running jobs were aborted and will run again')).toBe(false);
  });

  it('aborts a job past the deadline without losing it: the next worker runs it again', async () => {
    const logsBefore = ctx.logs.length;
    let aborted = false;
    const runtime = await started(
      await ctx.start({
        roles: ['mail'],
        config: ctx.configWith({ SHUTDOWN_TIMEOUT_MS: '200' }),
        handlers: withMailHandler(
          (_payload, { signal }) =>
            new Promise((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted by shutdown'));
              });
            }),
        ),
      }),
    );
    const inspector = await started(await ctx.start({ roles: [] }));
    const queue = inspector.deps.queues.get('mail');
    // The job definition retries with backoff; a short one keeps the rerun quick.
    const jobId = await runtime.deps.queues.enqueue('mail.send', { messageId: randomUUID() }, { backoff: { type: 'fixed', delay: 100 } });
    await waitFor(async () => (await queue.getJobState(jobId)) === 'active', 'the job to be active');

    await runtime.stop();
    expect(aborted).toBe(true);
    expect(ctx.logs.slice(logsBefore).some((l) => l.msg === 'shutdown deadline passed: running jobs were aborted and will run again')).toBe(true);
    const state = await queue.getJobState(jobId);
    expect(['delayed', 'waiting']).toContain(state);
    const interrupted = await queue.getJob(jobId);
    expect(interrupted?.attemptsMade).toBe(1);
    expect(interrupted?.failedReason).not.toContain('aborted by shutdown');

    let reran = 0;
    await started(
      await ctx.start({
        roles: ['mail'],
        handlers: withMailHandler(() => {
          reran += 1;
          return Promise.resolve({ sent: 1, failed: 0 });
        }),
      }),
    );
    await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 'the job to run again and complete');
    expect(reran).toBe(1);
    const done = await queue.getJob(jobId);
    expect(done?.returnvalue).toEqual({ sent: 1, failed: 0 });
    expect(done?.attemptsMade).toBe(2);
  });
});

interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', '--role', 'web'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exited>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  // Complete lines only: a chunk may end half-way through one.
  const lines = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, lines, stderr: () => stderr };
}

describe('the process', () => {
  it('stops on SIGTERM with exit code 0 and a stopped line', async () => {
    const processEnv = {
      DATABASE_URL: ctx.config.databaseUrl,
      REDIS_URL: ctx.config.redisUrl,
      QUEUE_PREFIX: ctx.prefix,
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    const { child, exited, lines, stderr } = startProcess(processEnv);
    const listening = await waitFor(
      () => Promise.resolve(child.exitCode === null ? lines().find((l) => l.msg === 'web listening') : new Error(`exited early: ${stderr()}`)),
      'the web listening line',
      20_000,
    );
    if (listening instanceof Error) throw listening;
    await waitFor(() => Promise.resolve(lines().some((l) => l.msg === 'started')), 'the started line', 20_000);

    const health = await fetch(`http://127.0.0.1:${String(listening.port)}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    child.kill('SIGTERM');
    const result = await exited;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    const messages = lines().map((l) => l.msg);
    expect(messages).toContain('shutting down');
    // By the time each line was made: pino's asynchronous writes may reach the pipe out of order.
    const byTime = lines().sort((a, b) => Number(a.time) - Number(b.time));
    expect(byTime.at(-1)?.msg).toBe('stopped');
  });

  it('refuses a bad configuration, naming every bad variable and no value', async () => {
    const { exited } = startProcess({
      DATABASE_URL: ctx.config.databaseUrl,
      QUEUE_PREFIX: ctx.prefix,
      PORT: 'abc',
      SECRET_KEY: 'shortsecret',
    });
    const result = await exited;
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toMatch(/^\s+- PORT: /m);
    expect(result.stderr).toMatch(/^\s+- SECRET_KEY: at least 32 characters/m);
    expect(result.stderr).not.toContain('shortsecret');
    expect(result.stdout).not.toContain('started');
  });
});
