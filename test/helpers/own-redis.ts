// A Redis server of the test's own on loopback (no persistence), for work that holds Redis for
// seconds on purpose: Redis runs one script at a time, so a script of seconds on the shared
// server stalls every other client of it (the other test file running beside this one, other
// runs on the machine), and past 5 s they are answered BUSY.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface OwnRedis {
  /** REDIS_URL for the platform and the test's own connections. */
  readonly url: string;
  stop(): Promise<void>;
}

async function pong(port: number): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']).catch(() => ({ stdout: '' }));
  return stdout.trim() === 'PONG';
}

export async function startOwnRedis(): Promise<OwnRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    // 'error': redis-server missing or not startable (no 'exit' follows then).
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()).once('error', () => resolve()));
    const stop = async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
      await exited;
    };
    const until = Date.now() + 10_000;
    let failed = false;
    server.once('error', () => (failed = true));
    while (!failed && server.exitCode === null && !(await pong(port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (!failed && server.exitCode === null && (await pong(port))) return { url: `redis://127.0.0.1:${port}`, stop };
    if (!failed) await stop();
    if (failed || attempt === 3) throw new Error('redis-server did not start');
  }
}
