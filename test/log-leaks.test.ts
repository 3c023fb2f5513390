// The search every test file's afterAll runs over its logs (test/helpers/context.ts) must find
// what it is for, or a clean run proves nothing.
import { describe, expect, it } from 'vitest';
import { STRONG_PASSWORD } from './helpers/identity.js';
import { findLogLeaks, outputLines } from './helpers/log-leaks.js';

const kinds = (line: Record<string, unknown>, secrets: string[] = []) => findLogLeaks([line], secrets).map((l) => l.kind);

describe('findLogLeaks', () => {
  it.each([
    [{ msg: 'x', key: `tgg_${'A'.repeat(43)}` }, 'token'],
    [{ msg: 'x', err: `session tggs_${'b-_9'.repeat(10)}abc expired` }, 'token'],
    [{ msg: 'x', to: 'alice@example.com' }, 'e-mail address'],
    [{ msg: 'send to Jan.de.Vries+tgg@xn--bcher-kva.nl failed' }, 'e-mail address'],
    [{ msg: 'x', number: '+31612345678' }, 'phone number'],
    [{ msg: 'x', number: '0031612345678' }, 'phone number'],
    [{ msg: 'x', number: '06 12345678' }, 'phone number'],
    [{ msg: 'x', number: '+31 6 1234 5678' }, 'phone number'],
    [{ msg: 'submit_sm', destination_addr: '31612345678' }, 'phone number'],
    [{ msg: 'x', number: '0612345678' }, 'phone number'],
    [{ msg: 'send to 31612345678 refused' }, 'phone number'],
    [{ msg: 'x', body: { password: STRONG_PASSWORD } }, 'password'],
  ])('finds %j', (line, kind) => {
    expect(kinds(line)).toContain(kind);
  });

  it('finds a secret it is given', () => {
    expect(kinds({ msg: 'login', detail: 'used hunter2-secret' }, ['hunter2-secret'])).toEqual(['password']);
  });

  it.each([
    { msg: 'request', method: 'POST', route: '/v1/sms/batches', status: 202, ip: '203.0.113.0/24', ms: 12 },
    { msg: 'batch accepted', batchId: '018f3c4e-9a7b-7c1d-8e2f-0123456789ab', recipients: 100000 },
    { msg: 'key used', prefix: 'tgg_3kX9aQ2m' },
    { msg: 'job failed', jobId: 'mail-00000000-0000-4000-8000-000000000001', other: '00000000-0000-4000-8000-003161234567' },
    { msg: 'job done', pid: 4242, time: 1764936000000, durationMs: 1234567 },
    { msg: 'listening', port: 31612, at: '2026-12-05T17:35:11.316Z', id: '31612345-6789-4abc-8def-316123456789', bytes: 316123456789, sequence: 3161234567 },
    { msg: 'chunk', batchId: '0193a4b2-3161-2345-6789-031612345678', key: 'sms:316123456780', hex: 'a31612345678' },
  ])('passes the ids and counts the code logs: %j', (line) => {
    expect(findLogLeaks([line])).toEqual([]);
  });

  it('reads the output of a child process: JSON lines and plain text, a chunk cut mid-line joined first', () => {
    const chunks = ['{"level":40,"msg":"job failed","key":"tgg_', `${'k'.repeat(43)}"}\n`, 'TypeError: cannot send to +31612345678\n    at send (x.ts:1)\n', '{"msg":"plain","n":1}\n'];
    const lines = outputLines('worker-sms', chunks.join(''));
    expect(lines).toHaveLength(4);
    expect(findLogLeaks(lines, ['Uw afspraak']).map((l) => l.kind)).toEqual(['token', 'phone number']);
    expect(findLogLeaks(outputLines('web', 'text Uw afspraak staat\n'), ['Uw afspraak']).map((l) => l.kind)).toEqual(['password']);
  });
});
