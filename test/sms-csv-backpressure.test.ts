// Issue 16: a CSV upload is read no faster than Postgres stores it. While sms_messages is
// locked, the web process stops reading the socket after a few slices (it never buffers the
// body), and that wait is the server's, not the client's: the upload is not cut by the body's
// deadline (HTTP_REQUEST_TIMEOUT_MS, HTTP_BODY_IDLE_TIMEOUT_MS) and is accepted whole once
// Postgres is free.
//
// Independent of the machine's speed: the body keeps the default allowance (minutes), so the
// client's own pace never runs it out, and the hold is made longer than that allowance on the
// server's clock (performance.now, which body-deadline.ts reads) by moving it a day ahead
// while the server holds the body back. Were held time counted, that day would cut the upload.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { heldByServer } from '../workers/core/body-deadline.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const org = await newOrganization(caller(runtime), ctx, 'Tegendruk BV');

const ROWS = 80_000;
const BOUNDARY = 'tgg-backpressure';

function* multipart(): Generator<Buffer> {
  const field = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  yield Buffer.from(`${field('sender', 'Tegendruk')}${field('body', 'Hoi {{naam}}')}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\nContent-Type: text/csv\r\n\r\nphone,naam\n`);
  for (let start = 0; start < ROWS; start += 2_000) {
    let lines = '';
    for (let i = start; i < start + 2_000; i++) lines += `+316${20_000_000 + i},Anna\n`;
    yield Buffer.from(lines);
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}
const fileBytes = [...multipart()].reduce((n, b) => n + b.length, 0);

function upload(): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: runtime.port, path: '/v1/sms/batches/csv', method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    Readable.from(multipart()).pipe(req);
  });
}

/** How far the server's clock is moved while it holds the body: longer than any allowance below. */
const DAY_MS = 86_400_000;

/** Resolves with what the server has read of the connection once it holds the body back and has read nothing more for a second. */
async function readUntilHeld(socket: () => Socket | undefined, req: () => IncomingMessage | undefined): Promise<number> {
  let last = -1;
  let still = 0;
  for (let waited = 0; waited < 120_000; waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
    const read = socket()?.bytesRead ?? 0;
    const held = req() !== undefined && heldByServer(req()!);
    still = held && read > 0 && read === last ? still + 1 : 0;
    last = read;
    if (still === 5) return read;
  }
  throw new Error('the server never held the body back');
}

it('stops reading the upload while Postgres cannot store, without buffering it or cutting it, and takes it whole after', async () => {
  const { httpRequestTimeoutMs, httpBodyMinRate, httpBodyIdleTimeoutMs } = ctx.config;
  // The most a body of this file could be given, were the server's hold counted against it.
  expect(DAY_MS).toBeGreaterThan(httpRequestTimeoutMs + (fileBytes * 1000) / httpBodyMinRate + httpBodyIdleTimeoutMs);
  let serverSide: Socket | undefined;
  let serverReq: IncomingMessage | undefined;
  runtime.server?.on('connection', (socket: Socket) => (serverSide = socket));
  runtime.server?.on('request', (req: IncomingMessage) => (serverReq = req));
  const realNow = performance.now.bind(performance);
  let ahead = 0;
  const clock = vi.spyOn(performance, 'now').mockImplementation(() => realNow() + ahead);
  const locker = new pg.Client({ connectionString: ctx.config.databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE sms_messages IN EXCLUSIVE MODE');
    const answer = upload();
    let early: unknown;
    answer.then((a) => (early = a), (error: unknown) => (early = error));
    const read = await readUntilHeld(() => serverSide, () => serverReq);
    // A few 10,000-row slices (one storing, one validated, one parsed) and the stream buffers: not the file.
    expect(read).toBeLessThan(fileBytes / 2);
    // A day passes on the server's clock while it holds the body. The watcher ticks every second
    // (body-deadline.ts, tickMs): a timer due after its next tick fires after it, however loaded
    // the machine, so the watcher has seen the day go by before the table is unlocked.
    ahead = DAY_MS;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(early).toBeUndefined();
    expect(serverSide?.destroyed).toBe(false);
    expect(serverSide?.bytesRead).toBeLessThan(fileBytes / 2);
    await locker.query('COMMIT');
    const { status, body } = await answer;
    expect(status).toBe(202);
    expect(JSON.parse(body)).toMatchObject({ accepted: ROWS, rejected: 0 });
    expect(serverSide?.bytesRead).toBeGreaterThanOrEqual(fileBytes);
  } finally {
    clock.mockRestore();
    await locker.end();
  }
}, 300_000);
