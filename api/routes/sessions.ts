// Logging in (REQUIREMENTS P9). Failures are throttled per username and per IP through keys
// that hold neither in the clear, and the answer never tells whether the username exists.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { dummyPasswordHash, verifyPassword } from '../../workers/identity/passwords.js';
import { resetPassword } from '../../workers/identity/password-resets.js';
import { createSession, revokeSession } from '../../workers/identity/sessions.js';
import { findLogin, loginNameKey } from '../../workers/identity/users.js';
import { audit } from '../../workers/core/audit.js';
import { principalOf } from '../auth/bearer.js';
import { HttpError, badRequest, unauthorized } from '../problem.js';
import { assertNotExhausted, limiterKey, type Limiter } from '../rate-limit.js';
import { defineRoute, type Route } from '../route.js';
import { passwordField } from './users.js';

export interface LoginLimiters {
  readonly byUsername: Limiter;
  readonly byIp: Limiter;
}

const sessionSchema = z.object({ token: z.string(), expiresAt: z.string() }).meta({ id: 'Session' });

export function sessionRoutes(deps: Deps, limiters: LoginLimiters): Route[] {
  const secret = deps.config.secretKey;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sessions',
      summary: "Log in with the organisation's slug, username and password; the token is used as a Bearer token",
      tags: ['sessions'],
      security: 'none',
      body: z.strictObject({ organization: z.string().min(1).max(64).describe("the organisation's slug"), username: z.string().min(1).max(64), password: passwordField }),
      responses: {
        201: { description: 'logged in', schema: sessionSchema },
        401: { description: 'wrong organisation, username or password (one answer for all three)' },
        403: { description: 'the password must be changed first (reset link sent by e-mail)' },
        429: { description: 'too many failed attempts for this username or from this address; see Retry-After' },
      },
      handler: async ({ body }, req) => {
        const userKey = limiterKey(secret, 'user', loginNameKey(body));
        const ipKey = limiterKey(secret, 'ip', req.ip ?? 'unknown');
        await assertNotExhausted(limiters.byUsername, userKey);
        await assertNotExhausted(limiters.byIp, ipKey);
        const login = await findLogin(deps.db, body);
        const valid = await verifyPassword(body.password, login?.password_hash ?? (await dummyPasswordHash()));
        if (!login || !valid) {
          await Promise.all([limiters.byUsername.penalty(userKey), limiters.byIp.penalty(ipKey)]);
          throw unauthorized('Wrong username or password.');
        }
        if (login.must_change_password) {
          throw new HttpError(403, 'Forbidden', 'A new password is required first: use the reset link sent to your e-mail address.');
        }
        await limiters.byUsername.delete(userKey);
        const session = await createSession(deps.db, login.id, deps.config.sessionTtlMinutes);
        return { status: 201, body: { token: session.token, expiresAt: session.expiresAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/sessions/current',
      summary: 'Log out: revoke the session whose token is used',
      tags: ['sessions'],
      security: 'bearer',
      responses: { 204: { description: 'logged out' } },
      handler: async (_input, _req, res) => {
        const principal = principalOf(res);
        if (principal.kind !== 'session') throw badRequest('This is an API key, not a session; revoke keys with DELETE /v1/api-keys/{id}.');
        await revokeSession(deps.db, principal.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/public/password-reset',
      summary: 'Choose a new password with the token from a reset link',
      tags: ['public'],
      security: 'none',
      body: z.strictObject({ token: z.string().min(1).max(200), password: passwordField }),
      responses: { 204: { description: 'the new password is set; log in with it' } },
      handler: async ({ body }) => {
        const reset = await resetPassword(deps.db, body.token, body.password);
        if (reset.status === 'invalid-token') throw badRequest('The reset link is unknown, used or expired.', [{ field: 'body.token', message: 'unknown, used or expired' }]);
        if (reset.status === 'weak-password') throw badRequest(`The password ${reset.problem}.`, [{ field: 'body.password', message: reset.problem }]);
        await audit(deps.db, { actorType: 'user', actorId: reset.userId, action: 'user.password_reset', entityType: 'user', entityId: reset.userId });
        return { status: 204 };
      },
    }),
  ];
}
