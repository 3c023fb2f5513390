// Member routes: `Authorization: Bearer <API key or session token>`, resolved to a principal
// scoped to one organisation, rate limited per key or session.
import type { RequestHandler, Response } from 'express';
import type { Scope } from '../../db/schema.js';
import type { Deps } from '../../workers/core/deps.js';
import { touchApiKey } from '../../workers/identity/api-keys.js';
import { createBatcher } from '../../workers/core/batcher.js';
import { resolvePrincipals, type Principal } from '../../workers/identity/principal.js';
import { forbidden, unauthorized } from '../problem.js';
import type { LeasedLimiter } from '../leased-limit.js';

const TOUCH_AFTER_MS = 60_000;

export function requireBearer(deps: Deps, limiter: LeasedLimiter): RequestHandler {
  // Concurrent requests' tokens are looked up in one query, sent after each of them arrived (never a cached answer: a revoked key fails at once).
  const resolve = createBatcher<string, Principal | undefined>({ run: (tokens) => resolvePrincipals(deps.db, tokens), maxWeight: 200, concurrency: 2 });
  // Requests that read the key before its touch committed would each touch it again (hundreds a minute under load): once per process per minute.
  const touched = new Map<string, number>();
  const touchedRecently = (id: string): boolean => {
    const now = Date.now();
    if ((touched.get(id) ?? 0) > now - TOUCH_AFTER_MS) return true;
    if (touched.size >= 10_000) touched.clear();
    touched.set(id, now);
    return false;
  };
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match?.[1]) throw unauthorized('An API key or session token is required.');
    const principal = await resolve(match[1]);
    if (!principal) throw unauthorized('The API key or session token is not valid (unknown, revoked or expired).');
    await limiter.consume(`${principal.kind}:${principal.id}`);
    if (principal.kind === 'api_key' && (principal.lastUsedAt === null || Date.now() - principal.lastUsedAt.getTime() > TOUCH_AFTER_MS) && !touchedRecently(principal.id)) {
      touchApiKey(deps.db, principal.id).catch(() => deps.logger.warn('could not record the last use of an API key'));
    }
    res.locals.principal = principal;
    next();
  };
}

export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const principal = res.locals.principal as Principal | undefined;
    next(principal?.scopes.includes(scope) ? undefined : forbidden(`This needs the ${scope} scope.`));
  };
}

/** The caller of a bearer route; routes without a bearer guard have none. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw unauthorized('An API key or session token is required.');
  return principal;
}
