// A real IMAP server on loopback for the bounce reader: Debian's dovecot-imapd (.ci/run installs
// it when missing), started in the foreground with test/fixtures/dovecot/dovecot.conf in a
// temporary directory of its own, one user, and stopped with the test file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './free-port.js';

export const DOVECOT = '/usr/sbin/dovecot';
export const dovecotInstalled = (): boolean => existsSync(DOVECOT);

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ImapServer {
  /** imap://user:password@127.0.0.1:port/INBOX */
  readonly url: string;
  client(): ImapFlow;
  close(): Promise<void>;
}

export async function startImap(): Promise<ImapServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tgg-imap-'));
  for (const sub of ['run', 'state', 'mail', 'home']) await mkdir(join(dir, sub));
  const port = await freePort();
  const [user, password] = ['bounces', 'imap-test-password'];
  await writeFile(join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  const template = await readFile(new URL('../fixtures/dovecot/dovecot.conf', import.meta.url), 'utf8');
  await writeFile(join(dir, 'dovecot.conf'), template.replaceAll('@DIR@', dir).replaceAll('@PORT@', String(port)).replaceAll('@USER@', 'dovecot'));
  for (const path of ['', 'run', 'state', 'mail', 'home', 'users', 'dovecot.conf']) await chown(join(dir, path), ...(await dovecotIds()));
  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  const client = () => new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
  return {
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    client,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function dovecotIds(): Promise<[number, number]> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith('dovecot:'));
  const [, , uid = '0', gid = '0'] = line?.split(':') ?? [];
  return [Number(uid), Number(gid)];
}
