// The privacy rows the reconciler keeps in BullMQ: verified requests (and ones a killed worker
// left processing), and notice callbacks not yet delivered.
import type { DueWorkSource } from '../core/reconciler.js';
import { queuedNoticeIds } from './notices.js';

export const privacyDueWork = {
  name: 'privacy',
  jobs: ['privacy.process', 'privacy.notice-callback'],
  async due(db, limit) {
    const requests = await db.selectFrom('privacy_requests').select('id').where('status', 'in', ['verified', 'processing']).limit(limit).execute();
    const notices = await queuedNoticeIds(db, limit);
    return [
      ...requests.map((r) => ({ name: 'privacy.process' as const, payload: { requestId: r.id } })),
      ...notices.map((noticeId) => ({ name: 'privacy.notice-callback' as const, payload: { noticeId } })),
    ];
  },
} satisfies DueWorkSource<'privacy.process' | 'privacy.notice-callback'>;
