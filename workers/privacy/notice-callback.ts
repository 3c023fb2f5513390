// The job that POSTs a notice to a member's privacy callback URL (notices.ts has the rows):
// signed, to a checked address, retried until the member answers 2xx.
import { sql } from 'kysely';
import type { Handler } from '../core/handler.js';
import { postCallback } from '../sms/callback-post.js';
import { callbackTarget, callbackTargetRules } from '../sms/callback-target.js';
import { signCallback } from '../sms/callbacks.js';

const TIMEOUT_MS = 10_000;

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
