// The mail family's jobs.
import { z } from 'zod';
import { defineContract, defineJob } from './job.js';

export const mailContract = defineContract({
  family: 'mail',
  queues: ['mail'],
  jobs: {
    /** One transactional mail (password reset, opt-in confirmation, ...) by its mail_messages row. */
    'mail.send': defineJob({
      queue: 'mail',
      payload: z.strictObject({ messageId: z.uuid() }),
      jobId: (p) => `mail-${p.messageId}`,
      attempts: 8,
    }),
    /** Reads the bounce mailbox (BOUNCE_IMAP_URL) and applies the bounces and complaints it can tie to a delivery. */
    'mail.read-bounces': defineJob({
      queue: 'mail',
      payload: z.strictObject({}),
      attempts: 1,
      schedule: { id: 'read-bounces', pattern: '*/2 * * * *', tz: 'Europe/Amsterdam' },
    }),
  },
});
