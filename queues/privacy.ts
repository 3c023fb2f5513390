// Privacy requests (verify, export, correct, erase, object): its queue, served by the
// `privacy` role. Jobs carry the request's id only.
import { z } from 'zod';
import { defineContract, defineJob } from './job.js';

export const privacyContract = defineContract({
  family: 'privacy',
  queues: ['privacy'],
  jobs: {
    /** Carry out a verified request (export, erase, restrict, object, correct, route a complaint). */
    'privacy.process': defineJob({
      queue: 'privacy',
      payload: z.strictObject({ requestId: z.uuid() }),
      jobId: (p) => `privacy-${p.requestId}`,
      attempts: 5,
    }),
    /** Tell a member about an erasure or correction of its data (a signed POST to its callback). */
    'privacy.notice-callback': defineJob({
      queue: 'privacy',
      payload: z.strictObject({ noticeId: z.uuid() }),
      jobId: (p) => `privacy-notice-${p.noticeId}`,
      attempts: 8,
    }),
    /** Daily: unverified requests expire, ops are mailed the requests due within 7 days and overdue. */
    'privacy.daily': defineJob({
      queue: 'privacy',
      payload: z.strictObject({}),
      attempts: 3,
      schedule: { id: 'privacy-daily', pattern: '0 7 * * *', tz: 'Europe/Amsterdam' },
    }),
  },
});
