// Ops' side of privacy requests: filing one for a person who wrote or phoned (identity checked
// by ops, so it goes on at once), the list (by status, overdue) and one request with its
// outcome per category, extending the due date once, approving and rejecting.
import { z } from 'zod';
import { PRIVACY_REQUEST_STATUSES, PRIVACY_REQUEST_TYPES, type PrivacyRequest } from '../../db/schema.js';
import { audit } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { findExportOfRequest } from '../../workers/privacy/access-export.js';
import { checkFiling, fileByOps } from '../../workers/privacy/filing.js';
import { extendAndTell } from '../../workers/privacy/extension.js';
import { OPEN_STATUSES, approveRequest, findRequest, listRequests, rejectRequest } from '../../workers/privacy/requests.js';
import { notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';
import { correctionOf } from './privacy-public.js';

const common = { tags: ['ops'] } as const;
const idParams = z.object({ id: z.uuid() });

/** Ops see the identifiers while the request is open (they must act on it); afterwards only hashes remain. */
function view(r: PrivacyRequest) {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    filedBy: r.filed_by,
    email: r.email,
    phone: r.phone,
    name: r.name,
    message: r.message,
    correction: r.rectification,
    receivedAt: r.received_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    overdue: r.due_at.getTime() < Date.now() && (OPEN_STATUSES as readonly string[]).includes(r.status),
    extension: r.extended_at ? { at: r.extended_at.toISOString(), reason: r.extension_reason } : null,
    verifiedAt: r.verified_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    outcome: r.outcome,
  };
}

export function privacyOpsRoutes(deps: Deps): Route[] {
  const ops = deps.config.ops.user;
  return [
    defineRoute({
      ...common,
      security: 'ops-write',
      method: 'post',
      path: '/ops/privacy-requests',
      summary: 'File a request for a person who wrote or phoned (identity checked by ops): it goes on at once',
      body: z.strictObject({
        type: z.enum(PRIVACY_REQUEST_TYPES),
        email: z.string().max(320).optional(),
        phone: z.string().max(40).optional(),
        name: z.string().max(200).optional(),
        message: z.string().max(2000).optional(),
        correctName: z.string().max(200).optional(),
        correctEmail: z.string().max(320).optional(),
        correctPhone: z.string().max(40).optional(),
      }),
      responses: { 201: { description: 'filed' }, 400: { description: 'no valid address or number' } },
      handler: async ({ body }) => {
        const filed = await fileByOps(deps.db, checkFiling({ ...body, correction: correctionOf(body) }), ops);
        await enqueueAfterCommit(deps, filed.jobs);
        return { status: 201, body: view(filed.request) };
      },
    }),
    defineRoute({
      ...common,
      security: 'ops',
      method: 'get',
      path: '/ops/privacy-requests',
      summary: 'Privacy requests by due date; filter by status, or overdue=true for the open ones past due',
      query: z.object({ status: z.enum(PRIVACY_REQUEST_STATUSES).optional(), overdue: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'requests' } },
      handler: async ({ query }) => {
        const rows = await listRequests(deps.db, { ...(query.status ? { status: query.status } : {}), overdue: query.overdue === 'true', limit: query.limit });
        return { body: { items: rows.map(view) } };
      },
    }),
    defineRoute({
      ...common,
      security: 'ops',
      method: 'get',
      path: '/ops/privacy-requests/{id}',
      summary: 'One request: status, due date and the outcome per data category',
      params: idParams,
      responses: { 200: { description: 'the request' }, 404: { description: 'no such request' } },
      handler: async ({ params }) => {
        const row = await findRequest(deps.db, params.id);
        if (!row) throw notFound('No such privacy request.');
        return { body: view(row) };
      },
    }),
    defineRoute({
      ...common,
      security: 'ops-write',
      method: 'get',
      path: '/ops/privacy-requests/{id}/export',
      summary: "An access request's export (7 days), for ops to hand over when no verified address got the link (a number alone, or a letter): a page, or JSON with format=json",
      params: idParams,
      query: z.object({ format: z.enum(['html', 'json']).default('json') }),
      responses: { 200: { description: 'the export' }, 404: { description: 'no such request, or no export (not made, or past its 7 days)' } },
      handler: async ({ params, query }) => {
        const stored = await findExportOfRequest(deps.db, params.id);
        if (!stored) throw notFound('No export for this request (not made, or past its 7 days).');
        await audit(deps.db, { actorType: 'ops', actorId: ops, action: 'privacy.export-fetched', entityType: 'privacy_request', entityId: params.id });
        const headers = { 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'" };
        return query.format === 'json' ? { body: stored.document, headers } : { body: stored.html, contentType: 'text/html; charset=utf-8', headers };
      },
    }),
    defineRoute({
      ...common,
      security: 'ops-write',
      method: 'post',
      path: '/ops/privacy-requests/{id}/extend',
      summary: 'Extend the due date once, by 1 or 2 months, with the reason the person is told (GDPR art. 12(3))',
      params: idParams,
      body: z.strictObject({ months: z.number().int(), reason: z.string().trim().min(3).max(1000) }),
      responses: { 200: { description: "extended; told: 'mail' (the reason mailed to the verified address) or 'ops' (no address: ops tell the person)" }, 404: { description: 'no such request' }, 409: { description: 'extended already, or closed' } },
      handler: async ({ params, body }) => {
        const extended = await extendAndTell(deps.db, params.id, ops, body.months, body.reason);
        await enqueueAfterCommit(deps, extended.jobs);
        return { body: { dueAt: extended.dueAt.toISOString(), told: extended.told } };
      },
    }),
    defineRoute({
      ...common,
      security: 'ops-write',
      method: 'post',
      path: '/ops/privacy-requests/{id}/approve',
      summary: 'Approve a request waiting for ops (a correction, or call details asked for by a number alone)',
      params: idParams,
      responses: { 200: { description: 'approved: it goes on' }, 404: { description: 'no such request' }, 409: { description: 'not awaiting approval' } },
      handler: async ({ params }) => {
        await enqueueAfterCommit(deps, await approveRequest(deps.db, params.id, ops));
        return { body: { status: 'verified' } };
      },
    }),
    defineRoute({
      ...common,
      security: 'ops-write',
      method: 'post',
      path: '/ops/privacy-requests/{id}/reject',
      summary: 'Reject an open request, with the reason the person is told',
      params: idParams,
      body: z.strictObject({ reason: z.string().trim().min(3).max(1000) }),
      responses: { 200: { description: 'rejected' }, 404: { description: 'no such request' }, 409: { description: 'done or being processed' } },
      handler: async ({ params, body }) => {
        await rejectRequest(deps.db, params.id, ops, body.reason);
        return { body: { status: 'rejected' } };
      },
    }),
  ];
}
