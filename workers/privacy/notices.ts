// Notices to members (art. 19, 28(3)(e)): an erasure, restriction or correction that touched
// data TGG processes for a member is reported to that member, as counts per category and the
// request's id: nothing the member does not already hold. Members read them at
// GET /v1/privacy/notices; one with a privacy callback URL also gets a signed POST
// (notice-callback.ts: the job, which the web role that lists notices does not load).
import type { Kysely } from 'kysely';
import type { Database, PrivacyNoticeKind } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import type { MemberEffect } from './reach.js';

export async function queueNotices(db: Kysely<Database>, requestId: string, kind: PrivacyNoticeKind, members: readonly MemberEffect[]): Promise<JobRequest[]> {
  const perOrg = new Map<string, Record<string, number>>();
  for (const m of members) {
    if (m.count === 0) continue;
    const counts = perOrg.get(m.organizationId) ?? {};
    counts[m.category] = (counts[m.category] ?? 0) + m.count;
    perOrg.set(m.organizationId, counts);
  }
  if (perOrg.size === 0) return [];
  const orgs = await db.selectFrom('organizations').select(['id', 'privacy_callback_url']).where('id', 'in', [...perOrg.keys()]).execute();
  const withCallback = new Set(orgs.filter((o) => o.privacy_callback_url).map((o) => o.id));
  const rows = await db
    .insertInto('privacy_notices')
    .values([...perOrg].map(([organization_id, counts]) => ({ organization_id, request_id: requestId, kind, counts: JSON.stringify(counts), callback_status: withCallback.has(organization_id) ? ('queued' as const) : ('none' as const) })))
    .returning(['id', 'callback_status'])
    .execute();
  return rows.filter((r) => r.callback_status === 'queued').map((r) => ({ name: 'privacy.notice-callback', payload: { noticeId: r.id } }));
}

export async function listNotices(db: Kysely<Database>, organizationId: string, limit: number) {
  const rows = await db.selectFrom('privacy_notices').select(['id', 'request_id', 'kind', 'counts', 'created_at']).where('organization_id', '=', organizationId).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, requestId: r.request_id, kind: r.kind, counts: r.counts, createdAt: r.created_at.toISOString() }));
}

export async function queuedNoticeIds(db: Kysely<Database>, limit: number): Promise<string[]> {
  return (await db.selectFrom('privacy_notices').select('id').where('callback_status', '=', 'queued').limit(limit).execute()).map((r) => r.id);
}
