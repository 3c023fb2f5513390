// Starts a server as a child process and waits until it answers, so the load generator never
// shares an event loop with what it measures.
import { spawn, type ChildProcess } from 'node:child_process';

/** How long a process may take to answer its ready URL (BENCH_START_TIMEOUT_MS: longer on a crowded machine). */
export const START_TIMEOUT_MS = Number(process.env.BENCH_START_TIMEOUT_MS ?? 30_000);

export async function startProcess(command: string, args: string[], env: Record<string, string>, readyUrl: string, readyTimeoutMs = START_TIMEOUT_MS): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    try {
      if ((await fetch(readyUrl)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`${command} ${args.join(' ')} did not become ready`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within `timeoutMs`. */
export function stopProcess(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
