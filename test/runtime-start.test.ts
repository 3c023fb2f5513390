// Starting with Postgres away or refusing: the web role starts and answers 503 until Postgres is
// back (its pool connects per request), and a start that fails (a migration refused, the port
// taken, a family's resources that cannot be built) fails with the reason and leaves no socket open. The file fails on a leaked socket
// (helpers/context.ts); each case also waits for its own sockets to be gone.
import { createServer } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mailFamily } from '../workers/mail/family.js';
import { smsFamily } from '../workers/sms/family.js';
import { adminQuery as admin, createTestContext, waitFor } from './helpers/context.js';
import { databaseUrl, testDatabaseName } from './helpers/env.js';
import { baseUrl } from './helpers/http.js';

const ctx = await createTestContext();

// An empty database that takes connections but refuses every write: its migration fails after connecting.
const readOnly = testDatabaseName('readonly');
await admin(`CREATE DATABASE "${readOnly}"`);
await admin(`ALTER DATABASE "${readOnly}" SET default_transaction_read_only = on`);
afterAll(() => admin(`DROP DATABASE IF EXISTS "${readOnly}" WITH (FORCE)`));

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;

/** Waits until this process holds no more TCP handles than it did before the case. */
const noneLeft = (before: number) => waitFor(() => Promise.resolve(tcpHandles() <= before), 'the failed start to close its sockets', 15_000);

describe('a start with Postgres away or refusing', () => {
  it('web, Postgres unreachable: starts, answers 503 naming postgres, and stops clean', async () => {
    const before = tcpHandles();
    const runtime = await ctx.start({ roles: ['web'], config: ctx.configWith({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tgg' }) });
    const ready = await fetch(`${baseUrl(runtime)}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { postgres: 'unavailable', redis: 'ok' } });
    await runtime.stop();
    await noneLeft(before);
  });

  it('a migration the database refuses: fails with the reason and leaves no connection open', async () => {
    const before = tcpHandles();
    const start = ctx.start({ roles: ['web'], migrate: true, config: ctx.configWith({ DATABASE_URL: databaseUrl(readOnly) }) });
    await expect(start).rejects.toThrow(/^migrations could not start: .*read-only transaction/);
    await noneLeft(before);
  });

  it('a family\'s resources that cannot be built: fails with the reason, closes the families\' built ones, leaves neither Postgres nor Redis open', async () => {
    const before = tcpHandles();
    // mail's are built (its close must run), sms's fail: createDeps stopped half-way.
    const failing = vi.spyOn(smsFamily.resources!, 'create').mockRejectedValueOnce(new Error('the SMS provider could not be built'));
    const closed = vi.spyOn(mailFamily.resources!, 'close');
    try {
      // migrate: the pool holds the connection the migration ran on; Redis is connected too.
      const start = ctx.start({ roles: ['sms', 'mail'], migrate: true });
      await expect(start).rejects.toThrow('the SMS provider could not be built');
      expect(closed).toHaveBeenCalledTimes(1);
      await noneLeft(before);
    } finally {
      failing.mockRestore();
      closed.mockRestore();
    }
  });

  it('the web app that cannot be built: fails with the reason, leaves neither Postgres nor Redis open', async () => {
    const before = tcpHandles();
    const start = ctx.start({ roles: ['web'], migrate: true, web: () => { throw new Error('the app could not be built'); } });
    await expect(start).rejects.toThrow('the app could not be built');
    await noneLeft(before);
  });

  it('the port taken: fails with EADDRINUSE and leaves neither Postgres nor Redis open', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, resolve));
    try {
      const address = squatter.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const before = tcpHandles();
      const config = ctx.configWith({ PORT: String(port) });
      // The pool holds a connection before the port is tried.
      const start = ctx.start({ roles: ['web'], migrate: true, config });
      await expect(start).rejects.toThrow(/EADDRINUSE/);
      await noneLeft(before);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
