// The line a process writes when it cannot start (main.ts): the kind of the failure, which ops
// act on (a SQLSTATE, a socket's code), and its message, never a credential, even with a
// DATABASE_URL that carries a password.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withoutCredentials } from '../workers/core/errors.js';
import { createTestContext } from './helpers/context.js';

const ctx = await createTestContext();
const password = `pw-${randomBytes(8).toString('hex')}`;
ctx.used(password);

function start(env: Record<string, string>): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', '--role', 'web', '--migrate'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', QUEUE_PREFIX: ctx.prefix, REDIS_URL: ctx.config.redisUrl, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ctx.captureOutput('main.ts', child);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code, lines: stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>) }),
    ),
  );
}

describe('a start that fails', () => {
  it('logs the failure’s kind and message, not the password of DATABASE_URL', async () => {
    const { code, lines } = await start({ DATABASE_URL: `postgres://tgg_owner:${password}@127.0.0.1:1/tgg` });
    expect(code).toBe(1);
    const line = lines.find((l) => l.msg === 'could not start');
    expect(line).toMatchObject({ error: 'error (ECONNREFUSED)', reason: expect.stringContaining('ECONNREFUSED') as string });
    expect(JSON.stringify(lines)).not.toContain(password);
  }, 60_000);

  it('a message that quotes a URL or a configured secret loses the credentials', () => {
    const quoted = `could not connect to postgres://tgg_owner:${password}@db.internal:5432/tgg (password=${password}); key ${password}x`;
    expect(withoutCredentials(quoted, [password])).toBe('could not connect to postgres://***@db.internal:5432/tgg (password=***); key ***x');
  });
});
