// Issue 16, all-in-one intake: a bulk body holds this process's jobs back from its first byte,
// not only once it is parsed (reading and parsing 100,000 recipients is most of the intake);
// an ordinary request does not.
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { intakeIdle } from '../workers/core/intake-gate.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const org = await newOrganization(caller(runtime), ctx, 'Poortwachter BV');

/** Whether intakeIdle() resolves within `ms`. */
async function idleWithin(ms: number): Promise<boolean> {
  return Promise.race([intakeIdle().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

/** Whether an intake runs in this process now: a waiter it holds is still waiting a turn of the event loop later. */
async function intakeRunning(): Promise<boolean> {
  return Promise.race([intakeIdle().then(() => false), new Promise<boolean>((r) => setImmediate(() => r(true)))]);
}

/** Sends the headers and the first half of a body, and what is needed to send the rest. */
function halfSent(path: string, body: string): Promise<{ rest: () => Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(runtime.port ?? 0, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${org.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      socket.write(body.slice(0, body.length / 2));
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      const closed = new Promise<string>((done) => socket.on('close', () => done(answer)));
      resolve({
        rest: () => {
          socket.write(body.slice(body.length / 2));
          return closed;
        },
      });
    });
  });
}

it('holds jobs while a batch body is still arriving, and lets them go once it is answered', async () => {
  const body = JSON.stringify({ sender: 'Poort', body: 'Hallo', recipients: [{ phone: '0612345678' }] });
  const upload = await halfSent('/v1/sms/batches', body);
  // The server holds jobs once the request has passed its key and rate-limit checks (a Postgres
  // and a Redis round trip): 80-120 ms at load 12 here, so a fixed 300 ms was a bet on the machine.
  await waitFor(() => intakeRunning(), 'the upload to be taken in');
  expect(await idleWithin(500)).toBe(false);
  expect(await upload.rest()).toMatch(/^HTTP\/1\.1 202/);
  expect(await idleWithin(500)).toBe(true);
});

it('does not hold jobs for an ordinary body', async () => {
  const body = JSON.stringify({ role: 'support', name: 'Poort', email: 'poort@example.nl' });
  const contact = await halfSent('/v1/contacts', body);
  await new Promise((r) => setTimeout(r, 300));
  expect(await idleWithin(500)).toBe(true);
  expect(await contact.rest()).toMatch(/^HTTP\/1\.1 201/);
});
