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
  },
});
