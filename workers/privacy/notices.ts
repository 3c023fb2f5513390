// Notices to members (art. 19, 28(3)(e)): an erasure, restriction or correction that touched
// data TGG processes for a member is reported to that member, as counts per category and the
// request's id: nothing the member does not already hold. Members read them at
// GET /v1/privacy/notices; one with a privacy callback URL also gets a signed POST.
import { sql, type Kysely } from 'kysely';
import type { Database, PrivacyNoticeKind } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import type { Handler } from '../core/handler.js';
import { postCallback } from '../sms/callback-post.js';
import { callbackTarget, callbackTargetRules } from '../sms/callback-target.js';
import { signCallback } from '../sms/callbacks.js';
import type { MemberEffect } from './reach.js';

const TIMEOUT_MS = 10_000;

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

export const noticeCallbackHandler: Handler<'privacy.notice-callback'> = async ({ noticeId }, { deps }) => {
  const notice = await deps.db
    .selectFrom('privacy_notices as n')
    .innerJoin('organizations as o', 'o.id', 'n.organization_id')
    .select(['n.id', 'n.request_id', 'n.kind', 'n.counts', 'n.created_at', 'o.privacy_callback_url', 'o.callback_secret'])
    .where('n.id', '=', noticeId)
    .where('n.callback_status', '=', 'queued')
    .executeTakeFirst();
  if (!notice?.privacy_callback_url) return { sent: 0 };
  const target = await callbackTarget(notice.privacy_callback_url, callbackTargetRules(deps.config));
  const body = JSON.stringify({ type: 'privacy.notice', id: notice.id, requestId: notice.request_id, kind: notice.kind, counts: notice.counts, createdAt: notice.created_at.toISOString() });
  const status = 'problem' in target ? null : await postCallback(target, { 'content-type': 'application/json', 'x-tgg-signature': signCallback(notice.callback_secret, body), 'user-agent': 'tgg-callbacks/1' }, body, TIMEOUT_MS);
  const ok = status !== null && status >= 200 && status < 300;
  await deps.db
    .updateTable('privacy_notices')
    .set({ callback_status: ok ? 'sent' : 'queued', callback_attempts: sql`callback_attempts + 1` })
    .where('id', '=', noticeId)
    .execute();
  if (!ok && !('problem' in target)) throw new Error('notice callback not accepted');
  if ('problem' in target) await deps.db.updateTable('privacy_notices').set({ callback_status: 'failed' }).where('id', '=', noticeId).execute();
  return { sent: ok ? 1 : 0 };
};
