// Members' employees (P9 in ARCHITECTURE.md): created and removed by an admin, and marked
// compromised by themselves, an admin of their organisation, or ops.
import { z } from 'zod';
import { opsActor, type AuditEntry } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { markCompromised } from '../../workers/identity/compromise.js';
import { passwordProblem } from '../../workers/identity/passwords.js';
import { createUser, findUser, listUsers, removeUser, type PublicUser } from '../../workers/identity/users.js';
import { auditActor, type Principal } from '../../workers/identity/principal.js';
import { scopesBeyond, scopesOfRole } from '../../workers/identity/scopes.js';
import { principalOf } from '../auth/bearer.js';
import { badRequest, forbidden, notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { LANGUAGES } from '../../workers/messages/catalogue.js';

export const passwordField = z.string().max(256);

const userSchema = z
  .object({
    id: z.uuid(),
    organization: z.string().describe("the organisation's slug: the user logs in with it and the username"),
    username: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'member']),
    mustChangePassword: z.boolean(),
    compromisedAt: z.string().nullable(),
    language: z.enum(LANGUAGES).describe('the language mails to the user are written in'),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

const toUser = (u: PublicUser) => ({
  id: u.id,
  organization: u.organization_slug,
  username: u.username,
  email: u.email,
  role: u.role,
  mustChangePassword: u.must_change_password,
  compromisedAt: u.compromised_at?.toISOString() ?? null,
  language: u.language,
  createdAt: u.created_at.toISOString(),
});

const compromiseSchema = z.object({
  sessionsRevoked: z.number().int(),
  keysRevoked: z.number().int(),
  revokedKeys: z
    .array(z.object({ id: z.uuid(), prefix: z.string() }))
    .describe("the keys revoked: the user's own, those the user made (from any session or key), and those these keys made in turn"),
});
const idParams = z.object({ id: z.uuid() });
const keyRef = z.object({ id: z.uuid(), prefix: z.string() });
const removedSchema = z.object({
  sessionsEnded: z.number().int(),
  keysDeleted: z.array(keyRef).describe("the user's own keys, deleted with the user"),
  keysMadeForOrganization: z.array(keyRef).describe('live keys the user made for the organisation, and those these keys made in turn: kept (your systems may use them); revoke them with DELETE /v1/api-keys/{id} if the person may have kept a copy'),
});

export function userRoutes(deps: Deps): Route[] {
  const compromise = async (organizationId: string | null, userId: string, actor: Pick<AuditEntry, 'actorType' | 'actorId'>) => {
    const { outcome, jobs } = await markCompromised({ db: deps.db, publicUrl: deps.config.publicUrl }, { organizationId, userId }, actor);
    await enqueueAfterCommit(deps, jobs);
    return { body: outcome };
  };
  /** The user of the caller's organisation, when the caller is that user or an admin. */
  const userVisibleTo = async (principal: Principal, id: string, denied: string): Promise<PublicUser> => {
    const user = await findUser(deps.db, principal.organizationId, id);
    if (!user) throw notFound('No such user.');
    if (principal.userId !== user.id && !principal.scopes.includes('admin')) throw forbidden(denied);
    return user;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/users',
      summary: 'Create a user who logs in with username and password',
      tags: ['users'],
      security: 'bearer',
      scope: 'admin',
      body: z.strictObject({
        username: z.string().regex(/^[A-Za-z0-9._@-]{3,64}$/, '3 to 64 letters, digits or . _ @ -'),
        email: z.email(),
        password: passwordField,
        role: z.enum(['admin', 'member']).default('member'),
        language: z.enum(LANGUAGES).default('nl').describe('the language mails to the user are written in'),
      }),
      responses: {
        201: { description: 'created', schema: userSchema },
        403: { description: "the user's sessions would have scopes the caller lacks" },
        409: { description: 'the username is taken in this organisation' },
      },
      handler: async ({ body }, _req, res) => {
        const principal = principalOf(res);
        const beyond = scopesBeyond(scopesOfRole(body.role), principal.scopes);
        const who = body.role === 'admin' ? 'An admin' : 'A member';
        if (beyond.length > 0) throw forbidden(`${who}'s sessions would have scopes the caller lacks: ${beyond.join(', ')}.`);
        const problem = await passwordProblem(body.password, body.username);
        if (problem) throw badRequest(`The password ${problem}.`, [{ field: 'body.password', message: problem }]);
        const user = await createUser(deps.db, { organizationId: principal.organizationId, ...body }, auditActor(principal));
        return { status: 201, body: toUser(user) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users',
      summary: "The organisation's users",
      tags: ['users'],
      security: 'bearer',
      scope: 'admin',
      responses: { 200: { description: 'users', schema: z.object({ items: z.array(userSchema) }) } },
      handler: async (_input, _req, res) => ({ body: { items: (await listUsers(deps.db, principalOf(res).organizationId)).map(toUser) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users/{id}',
      summary: 'One user (an admin, or the user themselves)',
      tags: ['users'],
      security: 'bearer',
      params: idParams,
      responses: { 200: { description: 'the user', schema: userSchema }, 404: { description: 'no such user in this organisation' } },
      handler: async ({ params }, _req, res) => {
        return { body: toUser(await userVisibleTo(principalOf(res), params.id, 'Only an admin or the user themselves can see a user.')) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/{id}',
      summary: 'Remove a user who left: the account, its sessions, reset links and own keys go at once; keys the user made for the organisation are kept and named',
      tags: ['users'],
      security: 'bearer',
      scope: 'admin',
      params: idParams,
      responses: {
        200: { description: 'removed', schema: removedSchema },
        403: { description: "the user's sessions have scopes the caller lacks" },
        404: { description: 'no such user in this organisation' },
      },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        const removed = await removeUser(deps.db, principal.organizationId, params.id, auditActor(principal), (role) => {
          const beyond = scopesBeyond(scopesOfRole(role), principal.scopes);
          if (beyond.length > 0) throw forbidden(`This user's sessions have scopes the caller lacks: ${beyond.join(', ')}.`);
        });
        if (!removed) throw notFound('No such user.');
        return { body: removed };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/users/{id}/compromised',
      summary: 'Report a suspected leak: revokes every session and key of the user at once, requires a new password, mails a reset link',
      tags: ['users'],
      security: 'bearer',
      params: idParams,
      responses: { 200: { description: 'revoked', schema: compromiseSchema }, 404: { description: 'no such user in this organisation' } },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        await userVisibleTo(principal, params.id, 'Only an admin or the user themselves can do this.');
        return compromise(principal.organizationId, params.id, auditActor(principal));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/ops/users/{id}/compromised',
      summary: 'Ops: report a suspected leak of any user',
      tags: ['ops'],
      security: 'ops-write',
      params: idParams,
      responses: { 200: { description: 'revoked', schema: compromiseSchema }, 404: { description: 'no such user' } },
      handler: ({ params }) => compromise(null, params.id, opsActor(deps.config.ops.user)),
    }),
  ];
}
