// A process loads the code of the roles it runs, no more (workers/handlers.ts, each family's
// `resources`): `--role web` must not hold the SMPP client, the mail transports and the bounce
// reader, nor any family's job handlers. Each role is started as the Procfile starts it, with a
// module hook that writes down every module the process loads.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';

const ctx = await createTestContext();

// Runs in the loader's own thread: it appends each module's URL to MODULE_LOG.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.MODULE_LOG, url + '\\n'); return next(url, context); }`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

/** Starts `main.ts --role <role>`, waits for its started line and returns the URLs of the modules it loaded. */
async function modulesOf(role: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tgg-modules-'));
  const log = join(dir, 'modules.log');
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--import', 'tsx', 'main.ts', '--role', role], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: ctx.config.databaseUrl,
      REDIS_URL: ctx.config.redisUrl,
      QUEUE_PREFIX: ctx.prefix,
      PORT: '0',
      LOG_LEVEL: 'info',
      MODULE_LOG: log,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`--role ${role} exited: ${output.slice(-2_000)}`);
    return Promise.resolve(output.includes('"msg":"started"'));
  }, `--role ${role} to start`, 60_000);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const loads = (modules: readonly string[], pattern: RegExp) => modules.filter((url) => pattern.test(url));

// The packages and modules only a worker role runs.
const WORKER_ONLY = [
  /\/node_modules\/smpp\//,
  /\/node_modules\/nodemailer\//,
  /\/node_modules\/imapflow\//,
  /\/node_modules\/mailparser\//,
  /\/workers\/sms\/providers\/provider\.ts$/,
  /\/workers\/sms\/send-chunk\.ts$/,
  /\/workers\/newsletter\/bounce-reader\.ts$/,
  /\/workers\/tem\/parse-upload\.ts$/,
  /\/workers\/privacy\/process\.ts$/,
  /\/workers\/retention\/purge-job\.ts$/,
];

// What a web process loads only when a request needs it (issue 16: its memory at rest): the
// validation threads (the first bulk request), the common-password list (the first password
// set), Bull Board (the first dashboard request), the XML reader (the first XML upload), the
// notice callback job (a worker's).
const WEB_ON_DEMAND = [
  /\/node_modules\/piscina\//,
  /\/node_modules\/@zxcvbn-ts\//,
  /\/node_modules\/@bull-board\//,
  /\/node_modules\/saxes\//,
  /\/workers\/tem\/einvoice\/xml-stream\.ts$/,
  /\/workers\/privacy\/notice-callback\.ts$/,
];

// Three processes under tsx: slower than the default timeout on a loaded machine.
describe('what each role loads', { timeout: 90_000 }, () => {
  it('--role web loads its routes, and no worker code: no SMPP client, mail transport, bounce reader or job handler; nor, until a request needs them, the pool, the password list, Bull Board or the XML reader', async () => {
    const modules = await modulesOf('web');
    expect(loads(modules, /\/api\/routes\/sms-csv\.ts$/)).toHaveLength(1);
    for (const pattern of WORKER_ONLY) expect(loads(modules, pattern), String(pattern)).toEqual([]);
    for (const pattern of WEB_ON_DEMAND) expect(loads(modules, pattern), String(pattern)).toEqual([]);
  });

  it('--role mail loads the mail transport and its handlers, not the SMPP client nor the routes', async () => {
    const modules = await modulesOf('mail');
    expect(loads(modules, /\/node_modules\/nodemailer\//).length).toBeGreaterThan(0);
    expect(loads(modules, /\/workers\/newsletter\/bounce-reader\.ts$/)).toHaveLength(1);
    expect(loads(modules, /\/node_modules\/smpp\//)).toEqual([]);
    expect(loads(modules, /\/api\//)).toEqual([]);
  });

  it('--role sms loads the SMS provider and the mail transport (e-mail-only recipients), not the bounce reader', async () => {
    const modules = await modulesOf('sms');
    expect(loads(modules, /\/node_modules\/smpp\//).length).toBeGreaterThan(0);
    expect(loads(modules, /\/workers\/sms\/send-chunk\.ts$/)).toHaveLength(1);
    expect(loads(modules, /\/node_modules\/nodemailer\//).length).toBeGreaterThan(0);
    expect(loads(modules, /\/workers\/newsletter\/bounce-reader\.ts$/)).toEqual([]);
  });
});
