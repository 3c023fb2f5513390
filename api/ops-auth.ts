// HTTP Basic for TGG staff: the full ops login, or the read-only one that can look but not act.
// Every request with credentials counts for the login throttle (api/login-throttle.ts), per ops
// username and per IP as members' logins do: wrong ones take points, and once they are used up
// the right password is refused too until the window passes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../workers/core/config.js';
import type { LoginThrottle } from './login-throttle.js';
import { forbidden, unauthorized } from './problem.js';

export type OpsRole = 'ops' | 'ops-readonly';
const CHALLENGE = 'Basic realm="TGG ops", charset="UTF-8"';

function same(a: string, b: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function roleOf(config: Config, credentials: { user: string; password: string }): OpsRole | undefined {
  const { ops } = config;
  // Both comparisons always run, so the time taken does not tell a right username from a wrong one.
  const fullUser = same(credentials.user, ops.user);
  const fullPassword = same(credentials.password, ops.password);
  if (fullUser && fullPassword) return 'ops';
  const readonlyUser = same(credentials.user, ops.readonlyUser ?? '\u0000');
  const readonlyPassword = same(credentials.password, ops.readonlyPassword ?? '\u0000');
  return ops.readonlyUser !== undefined && readonlyUser && readonlyPassword ? 'ops-readonly' : undefined;
}

/** Any ops login; the role lands in res.locals.opsRole. No credentials: 401; too many attempts: 429. */
export function requireOps(config: Config, throttle: LoginThrottle): RequestHandler {
  return async (req, res, next) => {
    const credentials = parseBasic(req.get('authorization'));
    if (!credentials) throw unauthorized('Ops credentials required.', CHALLENGE);
    const role = roleOf(config, credentials);
    await throttle.checked(credentials.user, req.ip, role !== undefined);
    if (!role) throw unauthorized('Ops credentials required.', CHALLENGE);
    res.locals.opsRole = role;
    next();
  };
}

/** After requireOps: only the full ops login may change anything. */
export const requireOpsWrite: RequestHandler = (_req, res, next) => {
  next(res.locals.opsRole === 'ops' ? undefined : forbidden('The read-only ops login cannot do this.'));
};

/** After requireOps: the read-only login may only read (GET and HEAD). */
export const readOnlyUnlessOps: RequestHandler = (req, res, next) => {
  if (res.locals.opsRole === 'ops' || req.method === 'GET' || req.method === 'HEAD') return next();
  next(forbidden('The read-only ops login cannot do this.'));
};
