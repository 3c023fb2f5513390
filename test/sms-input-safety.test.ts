// Input that once slipped through: placeholders naming JavaScript built-ins, callback URLs
// into the platform's own network, NUL characters, far-future schedules.
import { describe, expect, it } from 'vitest';
import { callbackTargetProblem, isPrivateAddress } from '../workers/sms/callback-target.js';
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
