// The body deadline (workers/core/body-deadline.ts) when the server itself is busy: time the
// event loop spent on other work (a long synchronous task, a GC pause) is not the client's, so
// a body that keeps arriving is not cut because the server could not read it; a slow loris is
// still cut while the server is busy. The client is its own process: the server's busy loop
// must not stop it sending.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { watchBodies } from '../workers/core/body-deadline.js';

/** Writes a head then `pieces` pieces of `size` bytes, one every `everyMs`; prints what the server answered once it closes. */
const CLIENT = `
const [port, pieces, size, everyMs] = JSON.parse(process.argv[1]);
const socket = require('node:net').connect(port, '127.0.0.1');
let answer = '';
socket.on('data', (d) => (answer += d.toString('latin1')));
socket.on('error', () => undefined);
socket.on('close', () => { clearInterval(timer); process.stdout.write(answer.split('\\r\\n')[0] || 'closed without an answer'); });
socket.write('POST /upload HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: ' + pieces * size + '\\r\\nConnection: close\\r\\n\\r\\n');
let sent = 0;
const timer = setInterval(() => { if (sent++ < pieces && !socket.destroyed) socket.write('x'.repeat(size)); }, everyMs);
`;

function client(port: number, pieces: number, size: number, everyMs: number): Promise<string> {
  const child = spawn(process.execPath, ['-e', CLIENT, JSON.stringify([port, pieces, size, everyMs])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return new Promise((resolve) => child.on('close', () => resolve(out)));
}

/** Keeps this process's event loop busy for `ms`, as a long synchronous task would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** A server that reads every body to its end and answers 200; `onData` runs on each piece read (in the loop's I/O phase, as a request's own work does). */
async function start(limits: Parameters<typeof watchBodies>[1], onData: () => void = () => undefined): Promise<number> {
  server = createServer((req, res) => {
    req.on('data', onData);
    req.on('end', () => res.end());
  });
  watchBodies(server, limits);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('the body deadline, the server busy', () => {
  it('does not cut a body that kept arriving while the server could not read it', async () => {
    // Idle allowed for 1 s; the server is busy for 3 s, a while after the body began, while the client sends on.
    // Busy in an I/O callback: the next turn of the loop runs its timers (the deadline's check) before it reads the sockets.
    let pieces = 0;
    const port = await start({ graceMs: 1_000, minBytesPerSecond: 1_000, idleMs: 1_000, tickMs: 100 }, () => {
      if (++pieces === 10) busy(3_000);
    });
    // 5 KB/s for 5 s: five times the minimum rate, a piece every 20 ms.
    expect(await client(port, 250, 100, 20)).toBe('HTTP/1.1 200 OK');
  }, 15_000);

  it('still cuts a slow loris while the server is busy most of the time', async () => {
    // A byte every 100 ms (10 B/s, a hundredth of the minimum) for 30 s; the loop busy 200 ms of every 250 ms.
    let load: NodeJS.Timeout | undefined;
    const port = await start({ graceMs: 500, minBytesPerSecond: 1_000, idleMs: 1_000, tickMs: 50 }, () => {
      load ??= setInterval(() => busy(200), 50);
    });
    try {
      const started = performance.now();
      expect(await client(port, 300, 1, 100)).toBe('HTTP/1.1 408 Request Timeout');
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      clearInterval(load);
    }
  }, 15_000);
});
