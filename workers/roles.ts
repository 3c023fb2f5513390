// The process roles of the Procfile and the queues each one works on.
import type { QueueName } from '../queues/names.js';

export const ROLES = ['web', 'sms', 'invoices', 'mail', 'privacy', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

export const QUEUES_OF_ROLE: Readonly<Record<Role, readonly QueueName[]>> = {
  web: [],
  sms: ['sms', 'sms-reports'],
  invoices: ['invoices'],
  mail: ['mail'],
  privacy: ['privacy'],
  scheduler: ['maintenance'],
};

/** `--role sms --role mail`, `--role sms,mail` or `--role all`; also ROLES=sms,mail in the environment. */
export function parseRoles(argv: readonly string[], envRoles?: string): Role[] {
  const named: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--role') named.push(...(argv[i + 1] ?? '').split(','));
    else if (arg.startsWith('--role=')) named.push(...arg.slice('--role='.length).split(','));
  });
  if (named.length === 0 && envRoles) named.push(...envRoles.split(','));
  const wanted = named.map((r) => r.trim()).filter(Boolean);
  if (wanted.length === 0) throw new Error(`name a role: --role ${ROLES.join('|')}|all`);
  if (wanted.includes('all')) return [...ROLES];
  const unknown = wanted.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new Error(`unknown role ${unknown.join(', ')}: use ${ROLES.join(', ')} or all`);
  return [...new Set(wanted as Role[])];
}
