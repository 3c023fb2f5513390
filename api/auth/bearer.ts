// Member routes: `Authorization: Bearer <API key or session token>`, resolved to a principal
// scoped to one organisation, rate limited per key or session.
import type { RequestHandler, Response } from 'express';
import type { Scope } from '../../db/schema.js';
import type { Deps } from '../../workers/core/deps.js';
import { sharedInFlight } from '../../workers/core/shared-in-flight.js';
import { touchApiKey } from '../../workers/identity/api-keys.js';
import { resolvePrincipal, type Principal } from '../../workers/identity/principal.js';
import { forbidden, unauthorized } from '../problem.js';
import { consumeOrThrow, type Limiter } from '../rate-limit.js';

const TOUCH_AFTER_MS = 60_000;

export function requireBearer(deps: Deps, limiter: Limiter): RequestHandler {
  const lookup = sharedInFlight((token) => resolvePrincipal(deps.db, token));
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match?.[1]) throw unauthorized('An API key or session token is required.');
    const principal = await lookup(match[1]);
    if (!principal) throw unauthorized('The API key or session token is not valid (unknown, revoked or expired).');
    await consumeOrThrow(limiter, `${principal.kind}:${principal.id}`);
    if (principal.kind === 'api_key' && (principal.lastUsedAt === null || Date.now() - principal.lastUsedAt.getTime() > TOUCH_AFTER_MS)) {
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
