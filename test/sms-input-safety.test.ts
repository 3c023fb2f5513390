// Input that once slipped through: placeholders naming JavaScript built-ins, callback URLs
// into the platform's own network, NUL characters, far-future schedules.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postCallback } from '../workers/sms/callback-post.js';
import { callbackTarget, callbackTargetProblem, isPrivateAddress } from '../workers/sms/callback-target.js';
import { personalise } from '../workers/sms/personalise.js';

describe('personalise', () => {
  it('treats built-in property names as missing fields', () => {
    expect(personalise('Hoi {{constructor}}', { naam: 'Jan' })).toEqual({ missing: 'constructor' });
    expect(personalise('Hoi {{toString}}', {})).toEqual({ missing: 'toString' });
    expect(personalise('Hoi {{naam}}', { naam: 'Jan' })).toEqual({ text: 'Hoi Jan' });
  });
});

describe('callback targets', () => {
  const strict = { allowPrivate: false, requireHttps: true };
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0'])(
    'refuses the private address %s',
    (address) => expect(isPrivateAddress(address)).toBe(true),
  );
  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])('accepts the public address %s', (address) => expect(isPrivateAddress(address)).toBe(false));

  it('refuses URLs into private networks, other ports, credentials and plain http in production', async () => {
    expect(await callbackTargetProblem('https://127.0.0.1/cb', strict)).toBe('must resolve to public addresses only');
    expect(await callbackTargetProblem('https://[::1]/cb', strict)).toBe('must resolve to public addresses only');
    expect(await callbackTargetProblem('https://localhost/cb', strict)).toMatch(/public addresses only|does not resolve/);
    expect(await callbackTargetProblem('https://93.184.216.34:8443/cb', strict)).toBe('must use the default port');
    expect(await callbackTargetProblem('https://user:pw@93.184.216.34/cb', strict)).toBe('must not carry credentials');
    expect(await callbackTargetProblem('http://93.184.216.34/cb', strict)).toBe('must be https');
    expect(await callbackTargetProblem('https://93.184.216.34/cb', strict)).toBeUndefined();
    expect(await callbackTargetProblem('http://127.0.0.1:3000/cb', { allowPrivate: true, requireHttps: false })).toBeUndefined();
  });
});

// Issue 9: an IPv6 address carrying a private IPv4 address passed the check, and the host was
// resolved again when connecting (DNS rebinding).
describe('callback targets: IPv4 inside IPv6, and one resolution', () => {
  const strict = { allowPrivate: false, requireHttps: true };
  it.each([
    '64:ff9b::7f00:1', '64:ff9b::10.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::a00:1', // NAT64, local NAT64
    '2002:7f00:1::', '2002:c0a8:101::1', '2002:a9fe:a9fe::', // 6to4
    '::127.0.0.1', '::7f00:1', '::a00:1', '::ffff:7f00:1', '::ffff:169.254.169.254', // IPv4-compatible and -mapped
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
  ])('refuses %s by the IPv4 address it carries', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['64:ff9b::5db8:d822', '2002:5db8:d822::1', '::ffff:93.184.216.34'])('accepts %s, which carries a public IPv4 address', (address) =>
    expect(isPrivateAddress(address)).toBe(false));

  it.each(['https://[64:ff9b::127.0.0.1]/cb', 'https://[2002:7f00:1::1]/cb', 'https://[::127.0.0.1]/cb', 'https://[::ffff:10.0.0.1]/cb'])('refuses the URL %s', async (url) =>
    expect(await callbackTargetProblem(url, strict)).toBe('must resolve to public addresses only'));

  it('resolves the host once and keeps the address it checked', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let asked = 0;
    const rebinding = (): Promise<string[]> => Promise.resolve(answers[asked++] ?? []);
    const target = await callbackTarget('https://callbacks.example/cb', strict, rebinding);
    expect(target).toMatchObject({ address: '93.184.216.34' });
    expect(asked).toBe(1);
  });

  it('connects to the checked address, never resolving the host again', async () => {
    const seen: { host?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // .invalid never resolves (RFC 6761): only the pinned address can be reached.
      const status = await postCallback({ url: new URL(`http://rebind.invalid:${port}/cb`), address: '127.0.0.1' }, { 'content-type': 'application/json' }, '{"a":1}', 5000);
      expect(status).toBe(204);
      expect(seen).toEqual([{ host: `rebind.invalid:${port}`, body: '{"a":1}' }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
