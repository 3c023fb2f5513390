import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../workers/core/config.js';
import { parseRoles } from '../workers/roles.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has safe local defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/tgg',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'tgg',
      port: 3000,
      sms: { provider: 'outbox' },
      mail: { smtpUrl: undefined, from: 'TGG <noreply@localhost>' },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable at once, without echoing values', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', SMTP_URL: 'http://relay', SECRET_KEY: 'short-secret-value', SMS_PROVIDER: 'pigeon' });
    const named = problems.map((p) => p.split(':')[0]);
    expect(named).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'SMTP_URL', 'SECRET_KEY', 'SMS_PROVIDER']));
    expect(problems.join('\n')).not.toContain('short-secret-value');
  });

  it('links to this machine on its PORT when PUBLIC_URL is unset (npm start on another port), and wants an https one in production', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '4391' }).publicUrl).toBe('http://localhost:4391');
    expect(loadConfig({ PORT: '4391', PUBLIC_URL: 'http://127.0.0.1:8080/' }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toContain('PUBLIC_URL');
  });

  it('refuses the development secrets in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PUBLIC_URL: 'https://sms.example.nl' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['OPS_PASSWORD', 'SECRET_KEY', 'SMS_PROVIDER', 'SMTP_URL', 'SUPPRESSION_KEY']);
  });

  it('refuses to start in production without a named SMS provider, and takes the outbox only when named', () => {
    const production = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://sms.example.nl',
      SECRET_KEY: 'a'.repeat(40),
      SUPPRESSION_KEY: 'b'.repeat(40),
      OPS_PASSWORD: 'correct horse battery staple',
      SMTP_URL: 'smtp://relay.example.nl:587',
    };
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^SMS_PROVIDER: must be set in production/)]);
    expect(problemsOf({ ...production, SMS_PROVIDER: '' })).toEqual([expect.stringMatching(/^SMS_PROVIDER: must be set in production/)]);
    expect(loadConfig({ ...production, SMS_PROVIDER: 'outbox' }).sms.provider).toBe('outbox');
    expect(loadConfig({ NODE_ENV: 'test' }).sms.provider).toBe('outbox');
  });

  it('takes only the GSM data codings it encodes for, and the SMPP session settings', () => {
    for (const value of ['0', '1', '3']) expect(loadConfig({ SMPP_GSM_DATA_CODING: value }).sms.smppGsmDataCoding).toBe(Number(value));
    for (const value of ['2', '4', '8', '240']) expect(problemsOf({ SMPP_GSM_DATA_CODING: value })).toEqual([expect.stringMatching(/^SMPP_GSM_DATA_CODING: one of 0, 1, 3/)]);
    expect(loadConfig({}).sms).toMatchObject({ smppEnquireLinkMs: 30_000, smppSystemType: '', smppAddressRange: '' });
    expect(loadConfig({ SMPP_ENQUIRE_LINK_S: '5', SMPP_SYSTEM_TYPE: 'VMA', SMPP_ADDRESS_RANGE: '^31' }).sms).toMatchObject({ smppEnquireLinkMs: 5_000, smppSystemType: 'VMA', smppAddressRange: '^31' });
    expect(problemsOf({ SMPP_ENQUIRE_LINK_S: '0', SMPP_SYSTEM_TYPE: 'x'.repeat(13) }).map((p) => p.split(':')[0])).toEqual(['SMPP_ENQUIRE_LINK_S', 'SMPP_SYSTEM_TYPE']);
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://sms.example.nl/',
      SECRET_KEY: 'a'.repeat(40),
      SUPPRESSION_KEY: 'b'.repeat(40),
      OPS_PASSWORD: 'correct horse battery staple',
      SMTP_URL: 'smtp://user:pass@relay.example.nl:587',
      SMS_PROVIDER: 'smpp',
      SMPP_URL: 'smpp://tgg:secret@smsc.example.nl:2775',
    });
    expect(config.publicUrl).toBe('https://sms.example.nl');
  });

  it('requires what a choice depends on', () => {
    expect(problemsOf({ SMS_PROVIDER: 'smpp' })).toEqual([expect.stringMatching(/^SMPP_URL: required/)]);
    expect(problemsOf({ OPS_READONLY_USER: 'viewer' })).toEqual([expect.stringMatching(/^OPS_READONLY_PASSWORD: required/)]);
  });
});

describe('roles', () => {
  it('reads --role in its forms', () => {
    expect(parseRoles(['--role', 'sms'])).toEqual(['sms']);
    expect(parseRoles(['--role', 'sms,mail', '--role=web'])).toEqual(['sms', 'mail', 'web']);
    expect(parseRoles(['--role', 'all'])).toEqual(['web', 'sms', 'invoices', 'mail', 'privacy', 'scheduler']);
    expect(parseRoles([], 'scheduler')).toEqual(['scheduler']);
  });

  it('refuses an unknown or missing role', () => {
    expect(() => parseRoles(['--role', 'mailer'])).toThrow(/unknown role mailer/);
    expect(() => parseRoles([])).toThrow(/name a role/);
  });
});
