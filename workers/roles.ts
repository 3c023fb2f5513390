// The process roles of the Procfile, and the queues each one works on as the families
// declare them (workers/<family>/family.ts). `web` serves HTTP; `scheduler` also runs the
// reconciler and the job schedulers.
import type { QueueName } from '../queues/names.js';
import { FAMILIES } from './families.js';

export const ROLES = ['web', 'sms', 'invoices', 'mail', 'privacy', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

function queuesOf(role: Role): readonly QueueName[] {
  return FAMILIES.flatMap((family) => {
    const roles: { readonly [R in Role]?: readonly QueueName[] } = 'roles' in family ? family.roles : {};
    return roles[role] ?? [];
  });
}

export const QUEUES_OF_ROLE: Readonly<Record<Role, readonly QueueName[]>> = Object.freeze(
  Object.fromEntries(ROLES.map((role) => [role, queuesOf(role)])) as Record<Role, readonly QueueName[]>,
);

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
