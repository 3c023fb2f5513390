// Logging in (P9 in ARCHITECTURE.md). Attempts are throttled per username and per IP
// (api/login-throttle.ts) before any password is hashed, and the answer never tells whether the
// username exists, nor whether a password that must be changed (a compromised account) was right.
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { dummyPasswordHash, verifyPassword } from '../../workers/identity/passwords.js';
import { resetPassword } from '../../workers/identity/password-resets.js';
import { createCheckedSession, revokeSession } from '../../workers/identity/sessions.js';
import { findLogin, loginNameKey } from '../../workers/identity/users.js';
import { principalOf } from '../auth/bearer.js';
import type { LoginThrottle } from '../login-throttle.js';
import { badRequest, unauthorized } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { passwordField } from './users.js';

const sessionSchema = z.object({ token: z.string(), expiresAt: z.string() }).meta({ id: 'Session' });

export function sessionRoutes(deps: Deps, throttle: LoginThrottle): Route[] {
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
        401: { description: 'wrong organisation, username or password (one answer for all three, and for the right password of an account that must reset it)' },
        429: { description: 'too many attempts for this username or from this address; see Retry-After' },
      },
      handler: async ({ body }, req) => {
        const attempt = await throttle.attempt(loginNameKey(body), req.ip);
        const login = await findLogin(deps.db, body);
        const valid = await verifyPassword(body.password, login?.password_hash ?? (await dummyPasswordHash()));
        // A compromised account's old password is as wrong as any other: the reset mail is the way back.
        if (!login || !valid || login.must_change_password) throw unauthorized('Wrong username or password.');
        const session = await createCheckedSession(deps.db, login, deps.config.sessionTtlMinutes);
        // Marked compromised, or given a new password, while the password was being checked.
        if (!session) throw unauthorized('Wrong username or password.');
        await attempt.succeeded();
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
        return { status: 204 };
      },
    }),
  ];
}
