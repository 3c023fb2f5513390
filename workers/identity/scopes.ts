import type { Scope, UserRole } from '../../db/schema.js';

export const SCOPES = ['sms', 'invoices', 'mail', 'privacy', 'admin'] as const satisfies readonly Scope[];

/** What a logged-in user may do: an admin everything, a member everything but administration. */
export function scopesOfRole(role: UserRole): Scope[] {
  return role === 'admin' ? [...SCOPES] : SCOPES.filter((s) => s !== 'admin');
}

/** The scopes wanted that the holder lacks: nobody grants (to a key or a user) more than they hold. */
export function scopesBeyond(wanted: readonly Scope[], held: readonly Scope[]): Scope[] {
  return wanted.filter((s) => !held.includes(s));
}
