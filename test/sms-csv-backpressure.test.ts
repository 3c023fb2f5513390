// Issue 16: a CSV upload is read no faster than Postgres stores it. While sms_messages is
// locked, the web process stops reading the socket after a few slices (it never buffers the
// body), and that wait is the server's, not the client's: the upload is not cut by
// HTTP_REQUEST_TIMEOUT_MS and is accepted whole once Postgres is free.
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext({ HTTP_REQUEST_TIMEOUT_MS: '1000' });
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

/** Resolves with what the server has read of the connection once that has not grown for a second. */
async function readUntilStalled(socket: () => Socket | undefined): Promise<number> {
  let last = -1;
  let still = 0;
  for (let waited = 0; waited < 30_000; waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
    const read = socket()?.bytesRead ?? 0;
    still = read > 0 && read === last ? still + 1 : 0;
    last = read;
    if (still === 5) return read;
  }
  throw new Error('the server never stopped reading');
}

it('stops reading the upload while Postgres cannot store, without buffering it or cutting it, and takes it whole after', async () => {
  let serverSide: Socket | undefined;
  runtime.server?.on('connection', (socket: Socket) => (serverSide = socket));
  const locker = new pg.Client({ connectionString: ctx.config.databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE sms_messages IN EXCLUSIVE MODE');
    const answer = upload();
    let early: unknown;
    answer.then((a) => (early = a), (error: unknown) => (early = error));
    const read = await readUntilStalled(() => serverSide);
    // A few 10,000-row slices (one storing, one validated, one parsed) and the stream buffers: not the file.
    expect(read).toBeLessThan(fileBytes / 2);
    // Held past HTTP_REQUEST_TIMEOUT_MS by the server: not the client's fault.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(early).toBeUndefined();
    expect(serverSide?.destroyed).toBe(false);
    await locker.query('COMMIT');
    const { status, body } = await answer;
    expect(status).toBe(202);
    expect(JSON.parse(body)).toMatchObject({ accepted: ROWS, rejected: 0 });
    expect(serverSide?.bytesRead).toBeGreaterThanOrEqual(fileBytes);
  } finally {
    await locker.end();
  }
}, 90_000);
